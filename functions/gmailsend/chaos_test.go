package main_test

// The seeded fault campaign (issue 20; STYLE.md "Crash points are tested,
// not argued"): many keyed POST /send and POST /messages requests
// (queued and scheduled) through the real bootstrap, each retried as
// docs/api.md tells clients to, while every DynamoDB, SQS and Scheduler
// request may meet a fault (faultproxy) and every invocation may be
// SIGKILLed at a random moment or at a point between two durable writes.
// The queue's consumer runs until the queue is drained, and then every
// promise docs/api.md makes is checked (chaos_check_test.go).
//
//	CHAOS_SEED        the seed (random when unset; printed, and in every failure)
//	CHAOS_N           requests per round (20)
//	CHAOS_FAULT_RATE  the share of AWS requests that meet a fault (0.1)
//	CHAOS_KILL_RATE   the share of invocations that are killed (0.15)
//	CHAOS_DURATION    run rounds (seeds SEED, SEED+1, …) until this has passed (one round when unset)
//
// `make test` runs one small round; `make chaos SEED= N= DURATION=` runs
// long ones. A seed replays the same requests, faults and kill plans; the
// interleaving is the machine's, so a replay is likely, not certain, to
// meet the same failure.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/faultproxy"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// chaosConfig is a campaign's knobs (the CHAOS_ variables).
type chaosConfig struct {
	seed      int64
	n         int
	faultRate float64
	killRate  float64
	duration  time.Duration
}

// The campaign's fixed shape: API instances serving requests side by
// side, and the invocation timeout (a claim's lease is it plus 5 s).
const (
	chaosWorkers = 3
	chaosTimeout = 3 * time.Second
	// chaosVisibility is the send queue's visibility timeout: longer than
	// a lease, as the template's 180 s is, so a crashed consumer's
	// message comes back once its claim can be settled.
	chaosVisibility = chaosTimeout + 6*time.Second
)

func chaosConfigFromEnv(t *testing.T) chaosConfig {
	t.Helper()
	c := chaosConfig{seed: time.Now().UnixNano() % 1_000_000_000, n: 20, faultRate: 0.1, killRate: 0.15}
	env := func(name string, parse func(string) error) {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" {
			if err := parse(v); err != nil {
				t.Fatalf("%s=%q: %v", name, v, err)
			}
		}
	}
	rate := func(p *float64) func(string) error {
		return func(v string) (err error) {
			*p, err = strconv.ParseFloat(v, 64)
			if err == nil && (*p < 0 || *p > 1) {
				err = fmt.Errorf("a rate is between 0 and 1")
			}
			return err
		}
	}
	env("CHAOS_SEED", func(v string) (err error) { c.seed, err = strconv.ParseInt(v, 10, 64); return })
	env("CHAOS_N", func(v string) (err error) {
		c.n, err = strconv.Atoi(v)
		if err == nil && c.n < 1 {
			err = fmt.Errorf("at least 1")
		}
		return
	})
	env("CHAOS_FAULT_RATE", rate(&c.faultRate))
	env("CHAOS_KILL_RATE", rate(&c.killRate))
	env("CHAOS_DURATION", func(v string) (err error) { c.duration, err = time.ParseDuration(v); return })
	return c
}

// replay is the command that runs seed again.
func (c chaosConfig) replay(seed int64) string {
	return fmt.Sprintf("make chaos SEED=%d N=%d FAULT_RATE=%g KILL_RATE=%g", seed, c.n, c.faultRate, c.killRate)
}

// TestChaosCampaign ensures the documented promises (docs/api.md) hold under faults and crashes: no message delivered twice, every sent answer delivered once, every final refusal delivered nothing, every delivery_unknown only where the content may have reached the server, and every accepted POST /messages delivered or visibly failed (a final record or the dead-letter queue).
func TestChaosCampaign(t *testing.T) {
	cfg := chaosConfigFromEnv(t)
	if cfg.duration == 0 {
		runChaosRound(t, cfg, cfg.seed)
		return
	}
	until := time.Now().Add(cfg.duration)
	var failed []string
	rounds := 0
	for seed := cfg.seed; time.Now().Before(until); seed++ {
		rounds++
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runChaosRound(t, cfg, seed) }) {
			failed = append(failed, strconv.FormatInt(seed, 10))
		}
	}
	t.Logf("chaos: %d rounds of %d requests (seeds %d…%d); failing seeds: [%s]", rounds, cfg.n, cfg.seed, cfg.seed+int64(rounds)-1, strings.Join(failed, " "))
}

// chaosRequest is one logical request and what the client made of it.
type chaosRequest struct {
	i                int
	kind             string // send, queued, scheduled
	key, to, subject string
	id               string        // its record's
	ahead            time.Duration // scheduled: how far ahead of its first attempt
	event            []byte

	answers  []answer
	plans    []killPlan
	faults   []string // the faults its AWS requests met
	attempts int
	next     time.Time
	inflight bool
	done     bool
	gaveUp   bool
}

func (q *chaosRequest) last() answer {
	if len(q.answers) == 0 {
		return answer{}
	}
	return q.answers[len(q.answers)-1]
}

func (q *chaosRequest) accepted() bool {
	return slices.ContainsFunc(q.answers, func(a answer) bool { return a.status == 202 })
}

// trail is the request's answers, each with the kill plan it ran under.
func (q *chaosRequest) trail() string {
	var s []string
	for i, a := range q.answers {
		if p := q.plans[i]; p.point != killNever {
			s = append(s, fmt.Sprintf("%s [kill at %s]", a, p))
		} else {
			s = append(s, a.String())
		}
	}
	if q.gaveUp {
		s = append(s, "gave up")
	}
	out := strings.Join(s, ", ")
	if len(q.faults) > 0 {
		out += "; faults met: " + strings.Join(q.faults, ", ")
	}
	return out
}

// campaign is one round: its requests, instances and what was observed.
type campaign struct {
	t    *testing.T
	r    *rig
	cfg  chaosConfig
	seed int64

	mu       sync.Mutex
	reqs     []*chaosRequest
	marked   map[string]bool
	owners   *owners
	apis     []*killer
	consumer *killer

	clientsTook, drainTook time.Duration
}

func runChaosRound(t *testing.T, cfg chaosConfig, seed int64) {
	t.Logf("chaos: CHAOS_SEED=%d CHAOS_N=%d CHAOS_FAULT_RATE=%g CHAOS_KILL_RATE=%g (replay: %s)", seed, cfg.n, cfg.faultRate, cfg.killRate, cfg.replay(seed))
	start := time.Now()
	r := startRig(t, rigOptions{timeout: chaosTimeout, visibility: chaosVisibility, maxReceives: 5})
	c := &campaign{t: t, r: r, cfg: cfg, seed: seed, marked: map[string]bool{}, owners: &owners{by: map[string]*killer{}}}
	c.plan()
	content := c.owners.content
	r.onContent.Store(&content)
	defer r.onContent.Store(nil)

	c.run()
	violations, summary := c.check()
	t.Logf("chaos: seed %d: %s; %s", seed, summary, time.Since(start).Round(100*time.Millisecond))
	for _, v := range violations {
		t.Errorf("seed %d: %s", seed, v)
	}
	if len(violations) > 0 {
		t.Errorf("chaos: seed %d broke %d promise(s); replay: %s", seed, len(violations), cfg.replay(seed))
	}
}

// plan draws the round's requests and starts its instances.
func (c *campaign) plan() {
	rnd := rand.New(rand.NewPCG(uint64(c.seed), 1))
	faults := func(k int) faultproxy.Options {
		return faultproxy.Options{Seed: c.seed*1000 + int64(k), Rate: c.cfg.faultRate, StallFor: chaosTimeout + 500*time.Millisecond,
			Observe: c.observe}
	}
	newKiller := func(name string, k int) *killer {
		kl := &killer{}
		kl.in = c.r.instance(name, faults(k))
		h := kl.hook(c.mark)
		kl.in.dynamo.SetHook(h)
		kl.in.sqs.SetHook(h)
		kl.in.sched.SetHook(h)
		return kl
	}
	for k := range chaosWorkers {
		c.apis = append(c.apis, newKiller(fmt.Sprintf("api-%d", k), k))
	}
	c.consumer = newKiller("consumer", chaosWorkers)
	for i := range c.cfg.n {
		q := &chaosRequest{i: i, key: fmt.Sprintf("chaos-%d-%d", c.seed, i), to: fmt.Sprintf("chaos-%d@example.com", i),
			subject: fmt.Sprintf("chaos %d #%d", c.seed, i)}
		q.id = recordID(q.key)
		switch x := rnd.Float64(); {
		case x < 0.5:
			q.kind = "send"
			q.event = apiEvent(c.t, "POST", "/send", fixture.SendRequest(fixture.User, q.to, q.subject), q.key)
		case x < 0.8:
			q.kind = "queued"
			q.event = apiEvent(c.t, "POST", "/messages", queuedBody(q.to, q.subject, time.Time{}), q.key)
		default:
			q.kind, q.ahead = "scheduled", 4*time.Second+time.Duration(rnd.IntN(5000))*time.Millisecond
		}
		if q.kind != "send" {
			c.owners.set(q.to, c.consumer)
		}
		c.reqs = append(c.reqs, q)
	}
}

// observe notes a fault against the requests whose record it names.
func (c *campaign) observe(op string, body []byte, f faultproxy.Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.reqs {
		if bytes.Contains(body, []byte(q.id)) {
			q.faults = append(q.faults, op+" "+f.String())
		}
	}
}

func (c *campaign) mark(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.marked[id] = true
}

func (c *campaign) wasMarked(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.marked[id]
}

// run sends every request to the end (or gives up on it), while the
// consumer works the queue, and then lets the consumer drain it.
func (c *campaign) run() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clientsUntil := time.Now().Add(30*time.Second + time.Duration(c.cfg.n)*400*time.Millisecond)
	var stop atomic.Bool
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		c.consume(ctx, &stop, rand.New(rand.NewPCG(uint64(c.seed), 2)))
	}()
	var wg sync.WaitGroup
	for k, kl := range c.apis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.serve(ctx, kl, rand.New(rand.NewPCG(uint64(c.seed), uint64(10+k))), clientsUntil)
		}()
	}
	began := time.Now()
	wg.Wait()
	c.clientsTook = time.Since(began)
	// Scheduled sends fire within 9 s of their request; a message whose
	// consumer was killed comes back after the visibility timeout, and
	// may be killed again.
	drainUntil := time.Now().Add(9*time.Second + 5*chaosVisibility)
	for !c.r.drained() && time.Now().Before(drainUntil) {
		time.Sleep(200 * time.Millisecond)
	}
	stop.Store(true)
	<-consumed
	c.drainTook = time.Since(began) - c.clientsTook
}

// serve is one API instance's client loop: it takes the next request due
// and sends it under a kill plan, until every request is done.
func (c *campaign) serve(ctx context.Context, kl *killer, rnd *rand.Rand, until time.Time) {
	for {
		q, wait := c.take(until)
		if q == nil {
			if wait < 0 {
				return
			}
			time.Sleep(wait)
			continue
		}
		if q.event == nil { // scheduled: its time is set by its first attempt
			at := time.Now().Add(q.ahead)
			q.event = apiEvent(c.t, "POST", "/messages", queuedBody(q.to, q.subject, at), q.key)
		}
		if q.kind == "send" {
			c.owners.set(q.to, kl)
		}
		plan := drawPlan(rnd, c.cfg.killRate, q.kind)
		kl.arm(plan)
		a := readAnswer(kl.in.invoke(ctx, q.event))
		kl.disarm()
		c.settle(q, a, plan, rnd, until)
	}
}

// take returns the first request due, or how long to wait (negative when
// every request is done).
func (c *campaign) take(until time.Time) (*chaosRequest, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now, pending := time.Now(), false
	for _, q := range c.reqs {
		if q.done {
			continue
		}
		if !q.inflight && now.After(until) {
			q.done, q.gaveUp = true, true
			continue
		}
		pending = true
		if !q.inflight && !now.Before(q.next) {
			q.inflight = true
			return q, 0
		}
	}
	if !pending {
		return nil, -1
	}
	return nil, 20 * time.Millisecond
}

// settle records an answer and decides, as docs/api.md tells a client, whether
// to retry and when: a retryable answer (or none) after its Retry-After,
// else after a jittered backoff; a final one ends the request.
func (c *campaign) settle(q *chaosRequest, a answer, plan killPlan, rnd *rand.Rand, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	q.inflight = false
	q.attempts++
	q.answers, q.plans = append(q.answers, a), append(q.plans, plan)
	switch {
	case a.final():
		q.done = true
	case q.attempts >= 40 || time.Now().After(until):
		q.done, q.gaveUp = true, true
	default:
		wait := a.retryAfter
		if wait == 0 {
			backoff := 100 * time.Millisecond << min(q.attempts-1, 4)
			wait = backoff/2 + time.Duration(rnd.Int64N(int64(backoff)))
		}
		q.next = time.Now().Add(min(wait, 10*time.Second))
	}
}

// consume feeds the send queue to the consumer instance, as the event
// source mapping does, each invocation under its own kill plan, until
// stop is set (between two polls: nothing is left half done).
func (c *campaign) consume(ctx context.Context, stop *atomic.Bool, rnd *rand.Rand) {
	mapping := devsqs.Mapping{Queue: rigQueue, BatchSize: 10, ReportBatchItemFailures: true}
	invoke := func(ctx context.Context, payload []byte) ([]byte, error) {
		c.consumer.arm(drawPlan(rnd, c.cfg.killRate, "consumer"))
		defer c.consumer.disarm()
		res, err := c.consumer.in.invoke(ctx, payload)
		if err != nil {
			return nil, err
		}
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Payload, nil
	}
	for !stop.Load() {
		if _, err := c.r.sqs.Poll(ctx, mapping, invoke, 300*time.Millisecond); err != nil && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// faultCounts sums the faults every proxy injected, by kind.
func (c *campaign) faultCounts() string {
	total := map[faultproxy.Fault]int{}
	for _, kl := range append(slices.Clone(c.apis), c.consumer) {
		for _, p := range []*faultproxy.Proxy{kl.in.dynamo, kl.in.sqs, kl.in.sched} {
			for f, n := range p.Injected() {
				total[f] += n
			}
		}
	}
	var s []string
	for f, n := range total {
		s = append(s, fmt.Sprintf("%s %d", f.String(), n))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
