package benchmark

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// Contender names.
const (
	Gmailsend          = "gmailsend"
	NodemailerPooled   = "nodemailer (pooled)"
	NodemailerUnpooled = "nodemailer (unpooled)"
	Smtplib            = "smtplib"
)

// AllContenders in table order.
var AllContenders = []string{Gmailsend, GmailsendData, NodemailerPooled, NodemailerUnpooled, Smtplib}

// Config sizes a run.
type Config struct {
	RTT        time.Duration
	ColdRuns   int
	Warm       int
	Batches    int
	Contenders []string
	ModuleRoot string // repository root
	WorkDir    string // scratch: bootstrap, CA, request file
	// Before, when set, is a git revision whose bootstrap runs too, as
	// BeforeName(Before): before and after in the same run (variants.go).
	Before string
	// BootstrapEnv is added to every gmailsend bootstrap's environment,
	// whose standard error is then shown (profiling: GODEBUG=gctrace=1).
	BootstrapEnv []string
	// Postfix runs every workload against Postfix too, after the
	// development server (servers.go); skipped with a line where it
	// cannot run (not root).
	Postfix bool
	// EventSends are the sends whose status events' latency is taken, and
	// EventRecords the status changes drained through one events function
	// (events.go).
	EventSends, EventRecords int
}

// Report is a whole run.
type Report struct {
	Config      Config
	Results     []Result
	BinaryBytes int64
	// Binaries are the sizes of the other bootstraps (Config.Before).
	Binaries map[string]int64
	Machine  string
	Started  time.Time
	// Servers are the SMTP servers measured, in order (servers.go).
	Servers []target
	// PostfixSkipped says why Postfix was not measured, when asked for.
	PostfixSkipped string
}

type runner struct {
	cfg       Config
	stack     *devstack.Stack
	bootstrap string
	before    string // the bootstrap of Config.Before
	req       []byte
	reqFile   string
	target    target // the SMTP server of the workload being measured
}

// Run measures every contender on every workload, one after another.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg}
	var err error
	if r.bootstrap, r.stack, err = startMeasured(cfg); err != nil {
		return nil, err
	}
	defer r.stack.Close()
	if r.req, err = json.Marshal(Request()); err != nil {
		return nil, err
	}
	r.reqFile = filepath.Join(cfg.WorkDir, "request.json")
	if err := os.WriteFile(r.reqFile, r.req, 0o644); err != nil {
		return nil, err
	}
	rep := &Report{Config: cfg, Machine: machine(), Started: time.Now(), Binaries: map[string]int64{}}
	if st, err := os.Stat(r.bootstrap); err == nil {
		rep.BinaryBytes = st.Size()
	}
	if cfg.Before != "" {
		if r.before, err = buildBefore(cfg.ModuleRoot, cfg.WorkDir, cfg.Before); err != nil {
			return nil, err
		}
		if st, err := os.Stat(r.before); err == nil {
			rep.Binaries[BeforeName(cfg.Before)] = st.Size()
		}
		cfg.Contenders = append([]string{BeforeName(cfg.Before)}, cfg.Contenders...)
		rep.Config.Contenders = cfg.Contenders
	}
	var stop func()
	if rep.Servers, rep.PostfixSkipped, stop, err = startTargets(ctx, cfg, r.stack); err != nil {
		return nil, err
	}
	defer stop()
	for _, t := range rep.Servers {
		r.target = t
		for _, w := range []string{Cold, Warm, Batch} {
			for _, c := range cfg.Contenders {
				res, err := r.measure(ctx, c, w)
				if err != nil {
					return nil, fmt.Errorf("benchmark: %s, %s, %s: %w", t.Name, c, w, err)
				}
				rep.Results = append(rep.Results, res)
			}
		}
	}
	return rep, nil
}

// measure runs one contender on one workload and takes the server's counts
// around it.
func (r *runner) measure(ctx context.Context, contender, workload string) (Result, error) {
	before := r.stack.SMTP.Stats()
	var (
		res Result
		err error
	)
	if v, ok := r.variant(contender); ok { // variants.go
		res, err = r.gmailsend(ctx, workload, v)
	} else {
		res, err = r.peer(ctx, contender, workload)
	}
	if err != nil {
		return res, err
	}
	res.Workload, res.Contender, res.Server, res.Counted = workload, contender, r.target.Name, r.target.counted
	if !r.target.counted {
		return res, nil // each contender checks its own sends were accepted
	}
	after := r.stack.SMTP.Stats()
	res.RoundTrips, res.Conns = after.RoundTrips-before.RoundTrips, after.Connections-before.Connections
	if got := after.Messages - before.Messages; got != int64(res.Messages) {
		return res, fmt.Errorf("the server received %d messages, want %d", got, res.Messages)
	}
	return res, nil
}

func (r *runner) gmailsend(ctx context.Context, workload string, v variant) (Result, error) {
	var res Result
	var inits []time.Duration
	start := func() (*runtimeapi.Function, error) {
		// Later entries win: the target's SMTP server, then the variant's.
		env := append(append(append(r.stack.Env(), r.target.env()...), v.env...), r.cfg.BootstrapEnv...)
		var stderr io.Writer
		if len(r.cfg.BootstrapEnv) > 0 {
			stderr = os.Stderr
		}
		return runtimeapi.StartFunction(ctx, v.bootstrap, env, nil, stderr)
	}
	invoke := func(fn *runtimeapi.Function, payload []byte) error {
		out, err := fn.Invoke(ctx, payload, 30*time.Second)
		if err == nil && out.Err != nil {
			err = out.Err
		}
		if err == nil && workload == Batch && string(out.Payload) != `{"batchItemFailures":[]}` {
			err = fmt.Errorf("batch failures: %s", out.Payload)
		}
		return err
	}
	switch workload {
	case Cold:
		for i := 0; i < r.cfg.ColdRuns; i++ {
			fn, err := start()
			if err != nil {
				return res, err
			}
			if err := invoke(fn, r.req); err != nil {
				fn.Stop()
				return res, err
			}
			took := time.Since(fn.Started)
			res.notePeak(fn.PeakRSSKiB())
			res.addProcess(fn.Stop())
			res.Latencies = append(res.Latencies, took)
			res.Wall += took
			inits = append(inits, fn.InitDuration)
			res.Messages++
		}
		res.Init = median(inits)
	case Warm, Batch:
		fn, err := start()
		if err != nil {
			return res, err
		}
		rounds, payload, per := r.cfg.Warm, r.req, 1
		if workload == Batch {
			rounds, payload, per = r.cfg.Batches, sqsBatch(r.req, 10), 10
		}
		for i := 0; i < rounds; i++ {
			t0 := time.Now()
			if err := invoke(fn, payload); err != nil {
				fn.Stop()
				return res, err
			}
			res.record(time.Since(t0), per)
		}
		res.notePeak(fn.PeakRSSKiB())
		res.addProcess(fn.Stop())
	}
	return res, nil
}

// record adds one invocation that sent per messages.
func (res *Result) record(took time.Duration, per int) {
	res.Wall += took
	res.Messages += per
	for j := 0; j < per; j++ {
		res.Latencies = append(res.Latencies, took/time.Duration(per))
	}
}

// addProcess adds a finished process's CPU time. Its rusage maxrss is not
// used: Linux carries the parent's resident set at fork into the child's
// maxrss, so it would measure the harness; peaks come from VmHWM instead.
func (res *Result) addProcess(ps *os.ProcessState) {
	if ps != nil {
		res.CPU += ps.UserTime() + ps.SystemTime()
	}
}

func (res *Result) notePeak(kib int64) {
	if kib > res.PeakRSSKiB {
		res.PeakRSSKiB = kib
	}
}

// peer runs a peer script once per cold run, or once for a whole warm or
// batch workload, and reads its latencies from its first output line.
func (r *runner) peer(ctx context.Context, contender, workload string) (Result, error) {
	var res Result
	mode := map[string]string{Cold: "cold", Warm: "warm", Batch: "batch"}[workload]
	count := map[string]int{Cold: 1, Warm: r.cfg.Warm, Batch: r.cfg.Batches}[workload]
	runs := 1
	if workload == Cold {
		runs = r.cfg.ColdRuns
	}
	for i := 0; i < runs; i++ {
		var args []string
		switch contender {
		case NodemailerPooled, NodemailerUnpooled:
			pooling := "pooled"
			if contender == NodemailerUnpooled {
				pooling = "unpooled"
			}
			args = []string{"node", filepath.Join(r.cfg.ModuleRoot, "dev", "bench", "peers", "nodemailer-peer.js"), mode, pooling, strconv.Itoa(count)}
		case Smtplib:
			args = []string{"python3", filepath.Join(r.cfg.ModuleRoot, "dev", "bench", "peers", "smtplib_peer.py"), mode, strconv.Itoa(count)}
		default:
			return res, fmt.Errorf("unknown contender %q", contender)
		}
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = append(append(os.Environ(), r.target.env()...), "REQUEST_FILE="+r.reqFile, "NODE_ENV=production")
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return res, err
		}
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return res, err
		}
		line, err := bufio.NewReader(out).ReadBytes('\n')
		answered := time.Since(t0)
		if werr := cmd.Wait(); werr != nil || err != nil {
			return res, fmt.Errorf("%v: %v %v", args, err, werr)
		}
		var got struct {
			LatenciesMs []float64 `json:"latenciesMs"`
			PeakRSSKiB  int64     `json:"peakRssKiB"` // VmHWM, read by the peer itself
		}
		if err := json.Unmarshal(line, &got); err != nil {
			return res, fmt.Errorf("%v printed %q", args, line)
		}
		res.addProcess(cmd.ProcessState)
		res.notePeak(got.PeakRSSKiB)
		if workload == Cold {
			// Process start to response, as for gmailsend.
			res.record(answered, 1)
			continue
		}
		per := 1
		if workload == Batch {
			per = 10
		}
		for _, ms := range got.LatenciesMs {
			res.record(time.Duration(ms*float64(time.Millisecond)), per)
		}
	}
	return res, nil
}

// startMeasured builds the bootstrap under test and starts the local stack
// every workload measures against, with the simulated round trip.
func startMeasured(cfg Config) (bootstrap string, st *devstack.Stack, err error) {
	if bootstrap, err = devstack.BuildBootstrap(cfg.ModuleRoot, cfg.WorkDir); err != nil {
		return "", nil, err
	}
	st, err = devstack.Start(devstack.Options{Dir: cfg.WorkDir, RTT: cfg.RTT,
		// No .eml files and no message bodies kept: the harness stays small.
		Mail: func(o *devsmtp.Options) { o.Dir, o.DiscardData = "", true }})
	return bootstrap, st, err
}
