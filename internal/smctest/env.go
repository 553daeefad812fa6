package smctest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/smcproject/smc/runtime"
)

// The packet's addresses when neither `smcc run`'s flags nor a case's keys give them (SMC-SPEC
// §10).
const (
	DefaultRemote = "192.0.2.1:5060"
	DefaultLocal  = "192.0.2.2:5060"
)

// NewEnv checks the packet's description, as `smcc run`'s flags and a case's keys give it, and
// returns the environment a Machine runs the message in. An empty at means the clock.
func NewEnv(remote, local, transport, at string, randN int) (*runtime.Env, error) {
	env := &runtime.Env{Rand: randN}
	var err error
	if env.Remote, err = netip.ParseAddrPort(remote); err != nil {
		return nil, fmt.Errorf("remote %q is not IP:PORT", remote)
	}
	if env.Local, err = netip.ParseAddrPort(local); err != nil {
		return nil, fmt.Errorf("local %q is not IP:PORT", local)
	}
	switch strings.ToLower(transport) {
	case "udp":
	case "tcp":
		env.Transport = runtime.TCP
	default:
		return nil, fmt.Errorf("transport %q is not udp or tcp", transport)
	}
	if at != "" {
		if env.Now, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("time %q is not an RFC 3339 time", at)
		}
	}
	if randN < 0 {
		return nil, fmt.Errorf("rand must be a positive number")
	}
	return env, nil
}

// VerdictString is a result's verdict as `smcc run` prints it and a case's verdict key says it:
// accept, modified, drop, or reject and the status code.
func VerdictString(res *runtime.Result) string {
	if res.Verdict == runtime.Reject {
		return "reject " + strconv.Itoa(res.Code)
	}
	return res.Verdict.String()
}
