package benchmark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// StoreReport is the warm sequential workload twice, stateless and with
// the message table (records, idempotency claim, quota guard), and what
// the table cost.
type StoreReport struct {
	RTT               time.Duration
	Stateless, Stored Result
	// Requests are the DynamoDB requests of the measured sends, by
	// operation (X-Amz-Target), after one warm-up send.
	Requests map[string]int
	// Flights are the measured sends' DynamoDB flights: requests that
	// began while no other was in flight (each flight is at least one
	// round trip; requests sent side by side are one).
	Flights int
}

// RunStore measures the warm path with the store: the real bootstrap, its
// real SDK client against dynalite behind a proxy that delays every
// request by the simulated round trip (as the SMTP server delays every
// reply) and counts them.
func RunStore(ctx context.Context, cfg Config) (*StoreReport, error) {
	bootstrap, st, err := startMeasured(cfg)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ms, err := devstack.StartMessageStore(ctx, cfg.ModuleRoot)
	if err != nil {
		return nil, err
	}
	defer ms.Close()
	proxy := newCountingProxy(ms.Endpoint(), cfg.RTT)
	defer proxy.Close()
	req, err := json.Marshal(Request())
	if err != nil {
		return nil, err
	}
	rep := &StoreReport{RTT: cfg.RTT}
	// Limits far above the run, so the guard counts but never refuses.
	stored := append(st.Env(), "MESSAGES_TABLE="+devstack.LocalTable, "AWS_ENDPOINT_URL_DYNAMODB="+proxy.URL,
		"DAILY_MESSAGE_LIMIT=1000000", "DAILY_RECIPIENT_LIMIT=1000000")
	for _, run := range []struct {
		env []string
		res *Result
	}{{st.Env(), &rep.Stateless}, {stored, &rep.Stored}} {
		if err := warmRun(ctx, bootstrap, run.env, req, cfg.Warm, run.res, proxy); err != nil {
			return nil, err
		}
	}
	rep.Requests, rep.Flights = proxy.counts()
	return rep, nil
}

// warmRun starts a process, sends once to warm it (SDK configuration, the
// quota's past hours), then measures n sends.
func warmRun(ctx context.Context, bootstrap string, env []string, req []byte, n int, res *Result, proxy *countingProxy) error {
	fn, err := runtimeapi.StartFunction(ctx, bootstrap, env, nil, nil)
	if err != nil {
		return err
	}
	invoke := func() error {
		out, err := fn.Invoke(ctx, req, 30*time.Second)
		if err == nil && out.Err != nil {
			err = out.Err
		}
		if err == nil && !strings.Contains(string(out.Payload), `"status":"sent"`) {
			err = fmt.Errorf("benchmark: answered %s", out.Payload)
		}
		return err
	}
	if err := invoke(); err != nil {
		fn.Stop()
		return err
	}
	proxy.reset()
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := invoke(); err != nil {
			fn.Stop()
			return err
		}
		res.record(time.Since(t0), 1)
	}
	res.notePeak(fn.PeakRSSKiB())
	res.addProcess(fn.Stop())
	res.Workload, res.Contender = Warm, Gmailsend
	return nil
}

// countingProxy forwards to an AWS endpoint (dynalite, the local queue…)
// after the simulated round trip and counts requests by operation.
type countingProxy struct {
	*httptest.Server
	mu       sync.Mutex
	n        map[string]int
	inFlight int
	flights  int
}

func newCountingProxy(target string, rtt time.Duration) *countingProxy {
	u, _ := url.Parse(target)
	fwd := httputil.NewSingleHostReverseProxy(u)
	p := &countingProxy{n: map[string]int{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// "DynamoDB_20120810.PutItem" → PutItem; REST APIs by method and path.
		op := r.Header.Get("X-Amz-Target")
		op = op[strings.LastIndexByte(op, '.')+1:]
		if op == "" {
			op = r.Method + " " + r.URL.Path
		}
		p.mu.Lock()
		p.n[op]++
		if p.inFlight == 0 {
			p.flights++
		}
		p.inFlight++
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inFlight--
			p.mu.Unlock()
		}()
		time.Sleep(rtt)
		fwd.ServeHTTP(w, r)
	}))
	return p
}

func (p *countingProxy) reset() {
	p.mu.Lock()
	p.n, p.flights = map[string]int{}, 0
	p.mu.Unlock()
}

func (p *countingProxy) counts() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.n))
	for k, v := range p.n {
		out[k] = v
	}
	return out, p.flights
}

// PerSend is DynamoDB requests per measured send.
func (r *StoreReport) PerSend() float64 {
	total := 0
	for _, v := range r.Requests {
		total += v
	}
	if r.Stored.Messages == 0 {
		return 0
	}
	return float64(total) / float64(r.Stored.Messages)
}

// recordOps are the per-send operations of records, idempotency and the
// quota guard; other features (the suppression list's BatchGetItem) add
// theirs, and the guard's Query of the day's past hours is made once per
// account and hour (a run that crosses an hour shows one).
var recordOps = []string{"PutItem", "UpdateItem", "GetItem"}

// RecordPerSend is the requests of records, idempotency and quota per
// measured send: the claim, the quota's reservation, the "content may be
// at the server" mark and the outcome.
func (r *StoreReport) RecordPerSend() float64 {
	total := 0
	for _, op := range recordOps {
		total += r.Requests[op]
	}
	if r.Stored.Messages == 0 {
		return 0
	}
	return float64(total) / float64(r.Stored.Messages)
}

// WriteMarkdown writes the two rows and the table's cost.
func (r *StoreReport) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n### Warm, with the store (gmailsend)\n\n")
	fmt.Fprintf(w, "The message table on dynalite behind the same %v round trip as every SMTP reply; limits set high so the quota guard counts but never refuses.\n\n", r.RTT)
	fmt.Fprintf(w, "| workload | msgs/s | p50 ms | p99 ms | ms/msg | DynamoDB requests/send | CPU ms/msg | peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, res Result, perSend string) {
		fmt.Fprintf(w, "| %s | %.1f | %s | %s | %s | %s | %.2f | %.1f |\n", name, res.PerSecond(), ms(res.Percentile(50)), ms(res.Percentile(99)),
			ms(res.Wall/time.Duration(max(res.Messages, 1))), perSend, float64(res.CPU)/float64(time.Millisecond)/float64(max(res.Messages, 1)), float64(res.PeakRSSKiB)/1024)
	}
	row("warm sequential, stateless", r.Stateless, "0")
	row("warm sequential, with the store", r.Stored, fmt.Sprintf("%.2f", r.PerSend()))
	ops := make([]string, 0, len(r.Requests))
	for op, n := range r.Requests {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(ops)
	cost := r.Stored.Wall/time.Duration(max(r.Stored.Messages, 1)) - r.Stateless.Wall/time.Duration(max(r.Stateless.Messages, 1))
	fmt.Fprintf(w, "\nThe store costs %s ms/msg on the warm path (%d sends: %s; records, idempotency and quota: %.2f requests/send; %.2f DynamoDB flights/send, the mark carried by the claim on a warm one-flight send; %.2f round trips of added latency/send).\n",
		ms(cost), r.Stored.Messages, strings.Join(ops, ", "), r.RecordPerSend(), r.FlightsPerSend(), float64(cost)/float64(max(r.RTT, time.Nanosecond)))
}

// FlightsPerSend is DynamoDB flights per measured send.
func (r *StoreReport) FlightsPerSend() float64 {
	if r.Stored.Messages == 0 {
		return 0
	}
	return float64(r.Flights) / float64(r.Stored.Messages)
}
