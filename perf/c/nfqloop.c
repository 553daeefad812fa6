#define _GNU_SOURCE
/*
 * nfqloop: the C baselines of the perf harness (issue 6), a minimal libnetfilter_queue consumer
 * written the way its documentation's example (nf-queue.c) is, with the settings the harness
 * gives every consumer: an 8 MiB receive buffer forced past rmem_max, NETLINK_NO_ENOBUFS, queue
 * maxlen 8192, fail-open.
 *
 *   nfqloop accept QUEUE   B1:  one accept verdict per packet
 *   nfqloop modify QUEUE   B1m: every packet given back with a header inserted after its start
 *                               line (pktb + nfq_udp_mangle_ipv4 fix lengths and checksums)
 *   nfqloop batch  QUEUE   B1b: accept verdicts batched, one per 16 packets and whenever no
 *                               further packet is ready; a packet whose payload holds the
 *                               marker "X-Perf-Rewrite" is modified as above, with its own verdict
 *
 * It prints "ready" once the queue is bound, and on SIGTERM or SIGINT the number of packets it
 * handled, then exits. Built by the harness: cc -O2 -o nfqloop nfqloop.c -lnetfilter_queue -lmnl
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnetfilter_queue/libnetfilter_queue_ipv4.h>
#include <libnetfilter_queue/libnetfilter_queue_udp.h>
#include <libnetfilter_queue/pktbuff.h>

#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

enum mode { ACCEPT, MODIFY, BATCH };

static enum mode mode;
static struct mnl_socket *nl;
static uint32_t queue_num;
static unsigned long handled;
static volatile sig_atomic_t stopping;
static uint32_t pending, highest; /* BATCH: untouched packets not yet answered */
static char sendbuf[0xffff + 4096];

static const char inserted[] = "X-Perf: modified\r\n";
static const char *marker = "Cisco-Guid";

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void send_or_die(struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("mnl_socket_sendto");
}

static void verdict_accept(uint32_t id)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(sendbuf, NFQNL_MSG_VERDICT, queue_num);
	nfq_nlmsg_verdict_put(nlh, id, NF_ACCEPT);
	send_or_die(nlh);
}

static void flush_batch(void)
{
	if (pending == 0)
		return;
	struct nlmsghdr *nlh = nfq_nlmsg_put(sendbuf, NFQNL_MSG_VERDICT_BATCH, queue_num);
	nfq_nlmsg_verdict_put(nlh, highest, NF_ACCEPT);
	send_or_die(nlh);
	pending = 0;
}

/* verdict_modified inserts a header after the start line of the UDP payload and gives the
 * packet back; a packet it cannot modify is accepted as it is. */
static void verdict_modified(uint32_t id, void *payload, uint16_t plen)
{
	struct pkt_buff *pkt = pktb_alloc(AF_INET, payload, plen, sizeof(inserted));
	if (pkt == NULL)
		die("pktb_alloc");
	struct iphdr *ip = nfq_ip_get_hdr(pkt);
	struct udphdr *udp;
	if (ip == NULL || nfq_ip_set_transport_header(pkt, ip) < 0 || (udp = nfq_udp_get_hdr(pkt)) == NULL) {
		pktb_free(pkt);
		verdict_accept(id);
		return;
	}
	char *sip = nfq_udp_get_payload(udp, pkt);
	unsigned int siplen = nfq_udp_get_payload_len(udp, pkt);
	char *eol = memchr(sip, '\n', siplen);
	if (eol == NULL || nfq_udp_mangle_ipv4(pkt, eol + 1 - sip, 0, inserted, sizeof(inserted) - 1) != 1) {
		pktb_free(pkt);
		verdict_accept(id);
		return;
	}
	struct nlmsghdr *nlh = nfq_nlmsg_put(sendbuf, NFQNL_MSG_VERDICT, queue_num);
	nfq_nlmsg_verdict_put(nlh, id, NF_ACCEPT);
	nfq_nlmsg_verdict_put_pkt(nlh, pktb_data(pkt), pktb_len(pkt));
	send_or_die(nlh);
	pktb_free(pkt);
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = {};
	(void)data;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return MNL_CB_OK;
	struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	uint32_t id = ntohl(ph->packet_id);
	void *payload = attr[NFQA_PAYLOAD] ? mnl_attr_get_payload(attr[NFQA_PAYLOAD]) : NULL;
	uint16_t plen = attr[NFQA_PAYLOAD] ? mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]) : 0;
	handled++;
	switch (mode) {
	case ACCEPT:
		verdict_accept(id);
		break;
	case MODIFY:
		verdict_modified(id, payload, plen);
		break;
	case BATCH:
		if (payload != NULL && memmem(payload, plen, marker, strlen(marker)) != NULL) {
			verdict_modified(id, payload, plen);
			break;
		}
		if (pending == 0 || (int32_t)(id - highest) > 0)
			highest = id;
		if (++pending >= 16)
			flush_batch();
		break;
	}
	return MNL_CB_OK;
}

static void configure(void)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(sendbuf, NFQNL_MSG_CONFIG, queue_num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	send_or_die(nlh);

	nlh = nfq_nlmsg_put(sendbuf, NFQNL_MSG_CONFIG, queue_num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, 8192);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	send_or_die(nlh);

	int rcvbuf = 8 << 20, one = 1;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		die("SO_RCVBUFFORCE");
	if (setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one)) < 0)
		die("NETLINK_NO_ENOBUFS");
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: nfqloop accept|modify|batch QUEUE\n");
		return 2;
	}
	if (strcmp(argv[1], "accept") == 0)
		mode = ACCEPT;
	else if (strcmp(argv[1], "modify") == 0)
		mode = MODIFY;
	else if (strcmp(argv[1], "batch") == 0)
		mode = BATCH;
	else {
		fprintf(stderr, "nfqloop: unknown mode %s\n", argv[1]);
		return 2;
	}
	queue_num = atoi(argv[2]);

	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a blocked read returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL)
		die("mnl_socket_open");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("mnl_socket_bind");
	unsigned int portid = mnl_socket_get_portid(nl);
	configure();
	printf("ready\n");
	fflush(stdout);

	static char buf[0xffff + 4096];
	while (!stopping) {
		int flags = (mode == BATCH && pending > 0) ? MSG_DONTWAIT : 0;
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), flags);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				flush_batch();
				continue;
			}
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			die("recv");
		}
		if (mnl_cb_run(buf, n, 0, portid, on_packet, NULL) < 0 && errno != ENOENT)
			die("mnl_cb_run");
	}
	flush_batch();
	printf("handled %lu\n", handled);
	return 0;
}
