// Package faultproxy is an HTTP proxy in front of a local AWS endpoint
// (dynalite, devsqs, devscheduler) that injects the faults a deployment
// meets, as the real services show them on the wire: 500s, throttling,
// a write applied whose answer is lost (a reset connection or a 500 after
// the write), and stalls past the client's deadline, with or without the
// request being applied late. The function's real SDK clients are pointed
// at it (AWS_ENDPOINT_URL_DYNAMODB and friends) and retry as they would in
// AWS.
//
// Faults come two ways: at random, at a rate, from a seed (the fault
// campaign), and from a Hook that sees every request before it is
// forwarded and again once the service applied it, so a scripted test can
// cut at one exact point (fail the second UpdateItem, kill the process the
// moment a given write is durable).
//
// Seeded means the same sequence of draws, not the same run: which
// request meets which draw depends on the order requests arrive in, which
// the processes behind it decide.
//
// It is development tooling: nothing here is linked into a function.
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
)

// Phase is where a request is when the Hook sees it.
type Phase int

const (
	// Before: the request has arrived and nothing was forwarded.
	Before Phase = iota
	// Applied: the service answered it with success (a write is
	// durable), and its answer has not gone back to the client yet.
	Applied
)

func (p Phase) String() string {
	if p == Applied {
		return "applied"
	}
	return "before"
}

// Hook is asked about each request at each phase, with the operation's
// name (Operation) and the request body. A Fault it returns is injected
// from there: at Before any fault; at Applied, where the request is
// already applied, any fault loses its answer (a reset for LostReset and
// the stalls, the error answer for the others). Another non-nil error
// answers 500. Nil leaves the request to the random faults (Before) or
// passes the answer (Applied). It may block: the request waits.
type Hook func(op string, body []byte, phase Phase) error

// Options configure a Proxy. The zero value passes everything.
type Options struct {
	// Seed and Rate drive the random faults: each request meets one with
	// probability Rate (0 to 1).
	Seed int64
	Rate float64
	// Faults are the random faults to pick from, evenly (Every if empty).
	Faults []Fault
	// Ops, when set, says which operations the random faults may hit
	// (the Hook sees every request regardless).
	Ops func(op string) bool
	// StallFor is how long a stall holds a request (5 s if zero): longer
	// than the client's deadline.
	StallFor time.Duration
	// Hook, when set, is asked about every request (SetHook changes it).
	Hook Hook
	// Observe, when set, hears of every fault injected, random or hooked,
	// with the request it hit (a campaign reports which record met what).
	Observe func(op string, body []byte, f Fault)
}

// Proxy is a running fault proxy.
type Proxy struct {
	// URL is the proxy's address, to use in place of the target's.
	URL string

	target string
	ln     net.Listener
	srv    *http.Server
	client *http.Client
	closed chan struct{}
	once   sync.Once

	mu       sync.Mutex
	opts     Options
	rnd      *rand.Rand
	injected map[Fault]int
	requests map[string]int
}

// Start serves on a loopback port and forwards to target (a URL such as
// http://127.0.0.1:8000) until Close.
func Start(target string, o Options) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if o.StallFor <= 0 {
		o.StallFor = 5 * time.Second
	}
	if len(o.Faults) == 0 {
		o.Faults = Every
	}
	p := &Proxy{
		URL: "http://" + ln.Addr().String(), target: target, ln: ln, closed: make(chan struct{}),
		client:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		opts:     o,
		rnd:      rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15)),
		injected: map[Fault]int{}, requests: map[string]int{},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops serving; stalled requests are dropped.
func (p *Proxy) Close() {
	p.once.Do(func() {
		close(p.closed)
		_ = p.srv.Close()
		p.client.CloseIdleConnections()
	})
}

// SetHook replaces the hook (nil removes it).
func (p *Proxy) SetHook(h Hook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts.Hook = h
}

// SetRate changes the random faults' rate.
func (p *Proxy) SetRate(rate float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts.Rate = rate
}

// Injected counts the faults injected so far, random and hooked.
func (p *Proxy) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.injected))
	for f, n := range p.injected {
		out[f] = n
	}
	return out
}

// Requests counts the requests of an operation the proxy received.
func (p *Proxy) Requests(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[op]
}

// draw counts the request and picks its random fault.
func (p *Proxy) draw(op string) (Fault, Hook, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[op]++
	o := p.opts
	f := Pass
	if o.Rate > 0 && (o.Ops == nil || o.Ops(op)) && p.rnd.Float64() < o.Rate {
		f = o.Faults[p.rnd.IntN(len(o.Faults))]
	}
	return f, o.Hook, o.StallFor
}

func (p *Proxy) count(op string, body []byte, f Fault) {
	p.mu.Lock()
	p.injected[f]++
	observe := p.opts.Observe
	p.mu.Unlock()
	if observe != nil {
		observe(op, body, f)
	}
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	op, svc := Operation(r), serviceOf(r)
	fault, hook, stallFor := p.draw(op)
	if hook != nil {
		if hf, ok := hooked(hook(op, body, Before)); ok {
			fault = hf
		}
	}
	if fault != Pass {
		p.count(op, body, fault)
	}
	switch fault {
	case ServerError, Throttled, ThroughputExceeded:
		svc.writeError(w, fault)
		return
	case Stall:
		p.hold(r.Context(), stallFor)
		reset(w)
		return
	case StallApplied:
		p.hold(context.Background(), stallFor)
	}

	ctx := r.Context()
	if fault == StallApplied {
		// The client is gone: the service applies it all the same.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
	}
	resp, answer, err := p.forward(ctx, r, body)
	if err != nil {
		reset(w)
		return
	}
	if resp.StatusCode/100 == 2 && hook != nil {
		if hf, ok := hooked(hook(op, body, Applied)); ok {
			p.count(op, body, hf)
			if hf == Stall || hf == StallApplied {
				p.hold(r.Context(), stallFor)
			}
			fault = hf
		}
	}
	switch fault {
	case Pass:
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(answer)
	case LostReset, Stall, StallApplied:
		reset(w)
	default: // Lost500 and the error answers: applied, yet answered as failed
		svc.writeError(w, fault)
	}
}

// hooked turns a hook's answer into a fault: ok is false for nil.
func hooked(err error) (Fault, bool) {
	if err == nil {
		return Pass, false
	}
	var f Fault
	if errors.As(err, &f) {
		return f, true
	}
	return ServerError, true
}

// hold waits d, or until ctx ends or the proxy closes.
func (p *Proxy) hold(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-p.closed:
	}
}

// forward sends the request to the target and reads the whole answer.
func (p *Proxy) forward(ctx context.Context, r *http.Request, body []byte) (*http.Response, []byte, error) {
	return Forward(ctx, p.client, p.target, r, body, false)
}

// Forward sends r (its body already read into body) to the service at
// base with client and reads the whole answer. keepHost sends r's Host as
// the client sent it (its SigV4 signature covers it); otherwise the
// request goes with base's host.
func Forward(ctx context.Context, client *http.Client, base string, r *http.Request, body []byte, keepHost bool) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	req.Header.Del("Connection")
	if keepHost {
		req.Host = r.Host
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	resp.Header.Del("Content-Length")
	return resp, answer, err
}

// reset ends the client's connection with a TCP RST and no answer, as a
// connection lost between the service and the client shows.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
