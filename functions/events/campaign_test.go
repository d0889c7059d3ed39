package main_test

// The events pipeline's seeded fault campaign: the promise is that every
// status change's events reach the bus and each subscribed webhook at
// least once, under the same ids, and that nothing is invented — while the
// real events function is killed at its crash points and the bus, the
// webhook queue and the receiver fail.
//
//	CHAOS_SEED          the seed (random when unset; printed, and in every failure)
//	EVENTS_CAMPAIGN_N   sends in the round (default 24)

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/deveventbridge"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// faultPlan decides every fault from the seed and the thing it hits (an
// event id, a queue entry, a delivery) and how often that thing was seen:
// the same seed makes the same decision for the same sighting whatever
// order the concurrent parts reach it in. Which sightings happen still
// depends on timing (how batches form, what a crash takes with it), so a
// replay repeats the decisions, not always the tally. Only the first two tries of a thing can fail, so
// every one gets through well within the mapping's ten retries; a delivery
// fails only on its first attempt (firstAttempt).
type faultPlan struct {
	seed int64
	mu   sync.Mutex
	seen map[string]int
}

// roll is a number in [0, 100) for the nth sighting of key.
func (f *faultPlan) roll(kind, key string) (int, int) {
	f.mu.Lock()
	n := f.seen[kind+key]
	f.seen[kind+key] = n + 1
	f.mu.Unlock()
	h := fnv.New64a()
	_ = binary.Write(h, binary.LittleEndian, f.seed)
	fmt.Fprintf(h, "%s\x00%s\x00%d", kind, key, n)
	return int(h.Sum64() % 100), n
}

// campaignTally counts what the plan did.
type campaignTally struct {
	busCrashes, busThrottled, enqueueFailed, receiverErrors, receiverCrashes atomic.Int64
}

func campaignSeed(t *testing.T) int64 {
	if v := os.Getenv("CHAOS_SEED"); v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED: %v", err)
		}
		return seed
	}
	return time.Now().UnixNano() % 1_000_000
}

// TestEventsCampaign runs a seeded round of sends (some refused by the server: message.failed) through the real send and events functions while the plan kills the events function after its PutEvents was applied (answer unread) and while a delivery is at the receiver, throttles bus entries, fails webhook-queue entries and answers deliveries 503; then checks every event the table's changes call for is on the bus and at the receiver at least once, signed, each id always the same event, none invented, and both dead-letter queues empty.
func TestEventsCampaign(t *testing.T) {
	seed := campaignSeed(t)
	n := 24
	if v, err := strconv.Atoi(os.Getenv("EVENTS_CAMPAIGN_N")); err == nil && v > 0 {
		n = v
	}
	t.Logf("events campaign: CHAOS_SEED=%d EVENTS_CAMPAIGN_N=%d (replay: CHAOS_SEED=%d EVENTS_CAMPAIGN_N=%d go test -count=1 -run '^TestEventsCampaign$' ./functions/events)", seed, n, seed, n)
	p := startPipelineWith(t, func(o *devsmtp.Options) {
		o.Reject = func(stage, arg string) error {
			if stage == "RCPT" && strings.HasPrefix(arg, "refused-") {
				return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			}
			return nil
		}
	})
	// A delivery whose function died comes back after the queue's
	// visibility timeout: 3 s here instead of the template's 180 s, so the
	// round sees it; only when changes, not what.
	p.events.SQS.CreateQueue(devstack.LocalWebhookQueue, devsqs.QueueOptions{VisibilityTimeout: 3 * time.Second, MaxMessageBytes: 256 << 10,
		DeadLetterQueue: "webhook-dead-letter", MaxReceiveCount: webhooks.MaxReceives})
	plan := &faultPlan{seed: seed, seen: map[string]int{}}
	var tally campaignTally

	var (
		mu       sync.Mutex
		received = map[string][]string{} // event id → the bodies that arrived, signed
		unsigned int
	)
	var secret atomic.Value
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get("webhook-id")
		roll, _ := plan.roll("receive", id)
		if !firstAttempt(p, id) {
			roll = 100 // the schedule's step after a second attempt is 5 min: only first attempts fail
		}
		switch {
		case roll < 15:
			tally.receiverErrors.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable) // retried on the schedule's first step, 5 s
			return
		case roll < 22:
			// Taken, but the function dies before it hears so: the
			// delivery comes again after the visibility timeout.
			tally.receiverCrashes.Add(1)
			p.events.Crash()
		}
		mu.Lock()
		defer mu.Unlock()
		if s, _ := secret.Load().(string); !signedHere(s, r.Header, body) {
			unsigned++
			return
		}
		received[id] = append(received[id], string(body))
	}))
	t.Cleanup(receiver.Close)
	all := make([]string, 0, len(gmailsend.EventTypes()))
	for _, et := range gmailsend.EventTypes() {
		if strings.HasPrefix(string(et), "message.") {
			all = append(all, `"`+string(et)+`"`)
		}
	}
	status, body := p.apiCall(t, "POST", "/webhooks", `{"url":"`+receiver.URL+`/hook","events":[`+strings.Join(all, ",")+`]}`)
	var reg struct{ ID, Secret string }
	if status != 201 || json.Unmarshal([]byte(body), &reg) != nil {
		t.Fatalf("POST /webhooks: %d %s", status, body)
	}
	secret.Store(reg.Secret)

	p.events.Bus.FailWhere(func(e deveventbridge.Event) string {
		var ev struct{ ID string }
		_ = json.Unmarshal([]byte(e.Detail), &ev)
		roll, n := plan.roll("bus", ev.ID)
		if n > 1 {
			roll = 100
		}
		switch {
		case roll < 12:
			tally.busThrottled.Add(1)
			return "ThrottlingException"
		case roll < 22:
			tally.busCrashes.Add(1)
			p.events.Crash() // the entry is accepted; its sender is gone
		}
		return ""
	})
	p.events.SQS.FailBatchEntries(func(_, body string) bool {
		if roll, n := plan.roll("enqueue", body); n < 2 && roll < 12 {
			tally.enqueueFailed.Add(1)
			return true
		}
		return false
	})

	// The workload: rounds of one to four concurrent sends, each round
	// followed by a pass of both mappings, so crashes land between sends'
	// changes as well as after them.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	sent := 0
	for sent < n {
		k := min(1+rng.IntN(4), n-sent)
		var wg sync.WaitGroup
		for i := range k {
			to := fmt.Sprintf("reader-%d@example.com", sent+i)
			if rng.IntN(4) == 0 {
				to = "refused-" + to
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.sendAny(t, to, fmt.Sprintf("campaign %d", seed))
			}()
		}
		wg.Wait()
		sent += k
		if err := p.events.Drain(ctx); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}

	// The oracle: the events the table's changes call for, read from the
	// stream (every write, in order), by the domain's own rule.
	want := map[string]string{} // event id → type
	for _, r := range p.events.Stream.Stream(devstack.LocalTable).Records() {
		c, err := dynamostore.ReadStreamRecord(r)
		if err != nil {
			t.Fatalf("seed %d: stream record %s: %v", seed, r.EventID, err)
		}
		for _, e := range gmailsend.EventsOf(c.Old, c.New) {
			want[e.ID] = string(e.Type)
		}
	}
	// Deliveries that were refused or whose function died come back on
	// the schedule (5 s) or after the visibility timeout: keep draining.
	deadline := time.Now().Add(90 * time.Second)
	for {
		if err := p.events.Drain(ctx); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		mu.Lock()
		missing := 0
		for id := range want {
			if len(received[id]) == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("seed %d: %d of %d events never reached the receiver", seed, missing, len(want))
		}
		time.Sleep(250 * time.Millisecond)
	}

	onBus := map[string][]string{}
	for _, raw := range p.events.Published() {
		var e published
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		onBus[e.ID] = append(onBus[e.ID], string(raw))
		if err := p.schemas.Validate(raw); err != nil {
			t.Errorf("seed %d: %s does not match its schema: %v", seed, raw, err)
		}
	}
	replays := 0
	for id, typ := range want {
		if len(onBus[id]) == 0 {
			t.Errorf("seed %d: %s %s is not on the bus: lost", seed, typ, id)
		}
		replays += max(len(onBus[id])-1, 0) + max(len(received[id])-1, 0)
	}
	for id, bodies := range onBus {
		if _, ok := want[id]; !ok {
			t.Errorf("seed %d: %s is on the bus but no change called for it: invented", seed, bodies[0])
		}
		for _, b := range append(bodies[1:], received[id]...) {
			if b != bodies[0] {
				t.Errorf("seed %d: id %s names two events:\n%s\n%s", seed, id, bodies[0], b)
			}
		}
	}
	for id := range received {
		if _, ok := want[id]; !ok {
			t.Errorf("seed %d: the receiver got %s, which no change called for", seed, id)
		}
	}
	if unsigned > 0 {
		t.Errorf("seed %d: %d deliveries were not signed with the registration's secret", seed, unsigned)
	}
	for _, q := range []string{"events-dead-letter", "webhook-dead-letter"} {
		if m := p.events.SQS.Messages(q); len(m) > 0 {
			t.Errorf("seed %d: %d message(s) in %s: the plan's faults stop after two tries, so nothing should have been parked", seed, len(m), q)
		}
	}
	types := map[string]int{}
	for _, typ := range want {
		types[typ]++
	}
	t.Logf("events campaign seed %d: %d sends, %d stream records, %d events %v; faults: %d bus crashes after apply, %d throttled entries, %d failed queue entries, %d receiver 503s, %d crashes during a delivery; %d replays (same id, same event)",
		seed, n, p.events.Stream.Stream(devstack.LocalTable).Len(), len(want), types,
		tally.busCrashes.Load(), tally.busThrottled.Load(), tally.enqueueFailed.Load(), tally.receiverErrors.Load(), tally.receiverCrashes.Load(), replays)
}

// firstAttempt tells whether the delivery of event id now at the receiver
// is its first attempt. The deliverer counts attempts by SQS's receive
// count, so a delivery whose batch died before it was tried (another
// delivery's crash) comes back as attempt 2 and, refused, would wait the
// schedule's 5 min: the plan fails first attempts only, found here.
func firstAttempt(p *pipeline, id string) bool {
	for _, m := range p.events.SQS.Messages(devstack.LocalWebhookQueue) {
		if strings.Contains(m.Body, id) {
			return m.ReceiveCount == 1
		}
	}
	return false
}

// sendAny posts one message through the API Gateway event and does not
// mind the answer: a refused recipient is a failed send, which is a
// status change like any other.
func (p *pipeline) sendAny(t *testing.T, to, subject string) {
	payload := fixture.UpstreamEvent(t, "apigw-request.json", fixture.SendRequest(fixture.User, to, subject))
	if _, err := p.send.Invoke(context.Background(), payload, 30*time.Second); err != nil {
		t.Errorf("send: %v", err)
	}
}
