// Command layoutcmp compares the benchmarks of two revisions with the layout of their code
// randomised, because on this project's machines the layout alone moves a benchmark by as much as
// the change being measured.
//
// The reference chain's Machine benchmark moved by 5 to 20% between builds of one revision whose
// functions the linker had merely placed differently (go build -ldflags=-randlayout=SEED), more
// than the few percent a change to the engine costs or saves. One build of each revision compares
// two draws of that lottery. layoutcmp builds the test binary of a package at each revision with
// several layout seeds, runs the pairs alternately in rounds (base and new of one seed back to
// back, the order swapped every other pair, so that a slow minute hits both), and reports for each
// benchmark the geometric mean of the new/base ratios over seeds and rounds, with a bootstrap 95%
// interval and the ratio of each seed. Where a benchmark reports cpu-ns/op (internal/cpuclock),
// that is compared (when both revisions report it): the CPU time, which other load on a shared
// machine disturbs less than the wall time.
//
//	go run ./perf/cmd/layoutcmp -base 60996a8 -bench MachineReference -seeds 8 -rounds 6
//
// The base revision is checked out with git worktree into a temporary folder; the new one is the
// working tree. Each test binary runs from the package's folder in the working tree, so that
// relative paths (../../shared/bench) resolve alike.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	base := flag.String("base", "", "the revision to compare with (required)")
	pkg := flag.String("pkg", "./perf", "the package whose benchmarks run")
	bench := flag.String("bench", "MachineReference", "the benchmarks to run (-test.bench)")
	seeds := flag.Int("seeds", 8, "layouts per revision")
	rounds := flag.Int("rounds", 6, "rounds over every seed")
	benchtime := flag.String("benchtime", "250ms", "-test.benchtime of each run")
	cpu := flag.String("cpu", "1", "the CPU each run is pinned to with taskset (empty: not pinned)")
	flag.Parse()
	if *base == "" {
		flag.Usage()
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "layoutcmp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	baseTree := filepath.Join(tmp, "base")
	must(run("", "git", "worktree", "add", "--detach", baseTree, *base))
	defer run("", "git", "worktree", "remove", "--force", baseTree)
	for s := 1; s <= *seeds; s++ {
		for _, rev := range []struct{ dir, name string }{{baseTree, "base"}, {".", "new"}} {
			out, _ := filepath.Abs(filepath.Join(tmp, fmt.Sprintf("%s%d.test", rev.name, s)))
			must(run(rev.dir, "go", "test", "-c", "-ldflags=-randlayout="+strconv.Itoa(s), "-o", out, *pkg))
		}
	}
	r := results{}
	for round := range *rounds {
		for s := 1; s <= *seeds; s++ {
			order := []string{"base", "new"}
			if (round+s)%2 == 1 {
				order = []string{"new", "base"}
			}
			for _, rev := range order {
				bin := filepath.Join(tmp, fmt.Sprintf("%s%d.test", rev, s))
				r.add(rev, round, s, runBench(bin, *pkg, *bench, *benchtime, *cpu))
			}
		}
		fmt.Fprintf(os.Stderr, "round %d of %d done\n", round+1, *rounds)
	}
	r.report(os.Stdout, *seeds)
}

// runBench runs one test binary's benchmarks and returns each one's times.
func runBench(bin, pkg, bench, benchtime, cpu string) map[string]times {
	args := []string{bin, "-test.run", "^$", "-test.bench", bench, "-test.benchtime", benchtime}
	if cpu != "" {
		args = append([]string{"taskset", "-c", cpu}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = pkg
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("%s: %v\n%s", bin, err, out)
	}
	return parseBench(out)
}

// times are one run's ns/op and, when the benchmark reports it, cpu-ns/op (else 0).
type times struct{ ns, cpu float64 }

// parseBench reads the benchmark lines of go test's output, named without the -GOMAXPROCS suffix.
func parseBench(out []byte) map[string]times {
	all := map[string]times{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name, t := f[0], times{}
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			switch {
			case err != nil:
			case f[i+1] == "ns/op":
				t.ns = v
			case f[i+1] == "cpu-ns/op":
				t.cpu = v
			}
		}
		all[name] = t
	}
	return all
}

// results holds every run's times: by benchmark, then by (round, seed), then by revision.
type results map[string]map[[2]int]map[string]times

func (r results) add(rev string, round, seed int, all map[string]times) {
	for name, t := range all {
		if r[name] == nil {
			r[name] = map[[2]int]map[string]times{}
		}
		k := [2]int{round, seed}
		if r[name][k] == nil {
			r[name][k] = map[string]times{}
		}
		r[name][k][rev] = t
	}
}

// metric picks what a benchmark's pairs compare: cpu-ns/op when both revisions report it in every
// pair, else ns/op.
func metric(pairs map[[2]int]map[string]times) (string, func(times) float64) {
	for _, v := range pairs {
		if v["base"].cpu == 0 || v["new"].cpu == 0 {
			return "ns/op", func(t times) float64 { return t.ns }
		}
	}
	return "cpu-ns/op", func(t times) float64 { return t.cpu }
}

// report prints, per benchmark, the geometric mean of new/base with its bootstrap 95% interval,
// and the geometric mean of each seed.
func (r results) report(w *os.File, seeds int) {
	names := make([]string, 0, len(r))
	for name := range r {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Fprintf(w, "%-44s %-9s %8s %20s  %s\n", "benchmark", "metric", "new/base", "95% interval", "per seed")
	for _, name := range names {
		unit, of := metric(r[name])
		var all []float64
		perSeed := make([][]float64, seeds+1)
		for k, v := range r[name] {
			if of(v["base"]) > 0 && of(v["new"]) > 0 {
				l := math.Log(of(v["new"]) / of(v["base"]))
				all = append(all, l)
				perSeed[k[1]] = append(perSeed[k[1]], l)
			}
		}
		lo, hi := bootstrap(all)
		var seedText []string
		for _, ls := range perSeed[1:] {
			seedText = append(seedText, fmt.Sprintf("%.3f", math.Exp(mean(ls))))
		}
		fmt.Fprintf(w, "%-44s %-9s %8.4f   [%.4f, %.4f]  %s\n", name, unit, math.Exp(mean(all)), lo, hi, strings.Join(seedText, " "))
	}
}

// bootstrap returns the 95% interval of the geometric mean of the ratios whose logarithms are ls.
func bootstrap(ls []float64) (lo, hi float64) {
	if len(ls) == 0 {
		return math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	means := make([]float64, 4000)
	sample := make([]float64, len(ls))
	for i := range means {
		for j := range sample {
			sample[j] = ls[rng.IntN(len(ls))]
		}
		means[i] = mean(sample)
	}
	slices.Sort(means)
	return math.Exp(means[100]), math.Exp(means[3899])
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// run runs a command in dir and returns its error with its output.
func run(dir string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
