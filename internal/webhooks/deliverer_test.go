package webhooks_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// TestDeliveredEventIsSignedAndNothingRecorded ensures a 2xx answer is Done (outcome delivered, its response time measured), the receiver got the event as JSON under its id, signed with the endpoint's secret (checked with this test's own HMAC), with a fresh timestamp, and no failure is recorded.
func TestDeliveredEventIsSignedAndNothingRecorded(t *testing.T) {
	w := newWorld(t)
	e := w.create(t, "key-a")
	res := w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_1"), 1)
	if res.Action != webhooks.Done || res.Reason != "delivered" || res.Status != 200 || res.Outcome() != webhooks.OutcomeDelivered || res.Elapsed <= 0 {
		t.Fatalf("result %+v", res)
	}
	got := w.receiver.arrivals()
	if len(got) != 1 || got[0].ID != "evt_1" || !got[0].signedBy(t, e.Secret) || len(got[0].Signatures) != 1 {
		t.Fatalf("arrivals %+v", got)
	}
	if got[0].Timestamp != "1796464800" { // the clock's now, not the event's time
		t.Errorf("webhook-timestamp %s", got[0].Timestamp)
	}
	var ev gmailsend.Event
	if err := json.Unmarshal(got[0].Body, &ev); err != nil || ev.ID != "evt_1" || ev.Type != gmailsend.EventSent || ev.Data.MessageID != "m1" {
		t.Fatalf("body %s: %v", got[0].Body, err)
	}
	if g, _ := w.registry.Get(ctxT(t), "key-a", e.ID); len(g.Failures) != 0 {
		t.Fatalf("failures recorded after a success: %+v", g.Failures)
	}
}

// TestFailedDeliveryFollowsTheSchedule ensures a 500 answer on receive n is RetryAfter the schedule's delay (1→5s, 2→5m, 3→30m, 4→2h, 5→5h, 6→10h, 7→10h) and on receive 8 (MaxReceives) GiveUp with no delay (outcomes retry, then given_up), and each failure is recorded newest first with attempt, status and code, at most MaxFailures.
func TestFailedDeliveryFollowsTheSchedule(t *testing.T) {
	w := newWorld(t)
	e := w.create(t, "key-a")
	w.receiver.answer(500)
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	for n := 1; n <= webhooks.MaxReceives; n++ {
		res := w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_f"), n)
		if n < webhooks.MaxReceives && (res.Action != webhooks.RetryAfter || res.Delay != want[n-1]) {
			t.Fatalf("receive %d: %+v, want retry after %v", n, res, want[n-1])
		}
		if n == webhooks.MaxReceives && (res.Action != webhooks.GiveUp || res.Delay != 0) {
			t.Fatalf("receive %d: %+v, want give up", n, res)
		}
		outcome := webhooks.OutcomeRetry
		if n == webhooks.MaxReceives {
			outcome = webhooks.OutcomeGivenUp
		}
		if res.Status != 500 || res.Code != "webhook_endpoint_status" || res.Reason != "failed" || res.Outcome() != outcome {
			t.Fatalf("receive %d: %+v", n, res)
		}
		w.clock.add(time.Minute)
	}
	for n := 9; n <= 12; n++ { // a redrive-less queue would keep handing it back
		w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_g"), n)
	}
	g, err := w.registry.Get(ctxT(t), "key-a", e.ID)
	if err != nil || len(g.Failures) != webhooks.MaxFailures {
		t.Fatalf("failures %+v %v", g, err)
	}
	f := g.Failures[0]
	if f.Attempt != 12 || f.Status != 500 || f.Code != "webhook_endpoint_status" || f.EventID != "evt_g" || f.EventType != gmailsend.EventSent ||
		!f.At.Equal(w.clock.now()) || g.Failures[9].Attempt != 3 {
		t.Fatalf("newest failure %+v, oldest kept %+v", f, g.Failures[9])
	}
	if len(w.receiver.arrivals()) != 12 {
		t.Fatalf("%d attempts reached the receiver, want 12", len(w.receiver.arrivals()))
	}
}

// TestGoneDisablesTheEndpoint ensures a 410 answer is Done, disables the endpoint with reason "gone" (recorded as a failure), and every later delivery to it is dropped without reaching the receiver; a test event is refused as webhook_disabled.
func TestGoneDisablesTheEndpoint(t *testing.T) {
	w := newWorld(t)
	e := w.create(t, "key-a")
	w.receiver.answer(410)
	if res := w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_1"), 1); res.Action != webhooks.Done || res.Reason != webhooks.ReasonGone || res.Outcome() != webhooks.OutcomeDisabled {
		t.Fatalf("410: %+v", res)
	}
	g, err := w.registry.Get(ctxT(t), "key-a", e.ID)
	if err != nil || g.Enabled || g.DisabledReason != webhooks.ReasonGone || len(g.Failures) != 1 || g.Failures[0].Status != 410 {
		t.Fatalf("after 410: %+v %v", g, err)
	}
	w.receiver.answer(200)
	if res := w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_2"), 1); res.Action != webhooks.Done || res.Reason != "endpoint_disabled" || res.Outcome() != webhooks.OutcomeDropped || res.Elapsed != 0 {
		t.Fatalf("later delivery: %+v", res)
	}
	if n := len(w.receiver.arrivals()); n != 1 {
		t.Fatalf("%d arrivals, want only the one answered 410", n)
	}
	if _, err := w.registry.Test(ctxT(t), "key-a", e.ID); gmailsend.CodeOf(err) != gmailsend.CodeWebhookDisabled {
		t.Fatalf("test of a disabled endpoint: %v", err)
	}
	if err := w.registry.Delete(ctxT(t), "key-a", e.ID); err != nil {
		t.Fatal(err)
	}
	if res := w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_3"), 1); res.Action != webhooks.Done || res.Reason != "endpoint_deleted" || res.Outcome() != webhooks.OutcomeDropped {
		t.Fatalf("delivery to a deleted endpoint: %+v", res)
	}
}

// TestRotationSignsWithBothForTheGrace ensures after a rotation every delivery carries a signature by the new secret and one by the old for RotationGrace (24 h), then by the new one only; a second rotation ends the first's grace.
func TestRotationSignsWithBothForTheGrace(t *testing.T) {
	w := newWorld(t)
	e := w.create(t, "key-a")
	rot, err := w.registry.Rotate(ctxT(t), "key-a", e.ID)
	if err != nil || rot.Secret == e.Secret || !rot.PreviousSecretExpiresAt.Equal(w.clock.now().Add(24*time.Hour)) {
		t.Fatalf("rotate: %+v %v", rot, err)
	}
	check := func(step string, want map[string]bool) {
		t.Helper()
		w.deliverer.Deliver(ctxT(t), job("key-a", e.ID, "evt_"+step), 1)
		got := w.receiver.arrivals()
		a := got[len(got)-1]
		for secret, signs := range want {
			if a.signedBy(t, secret) != signs {
				t.Errorf("%s: signed by %s…: %v, want %v", step, secret[:10], !signs, signs)
			}
		}
		n := 0
		for _, s := range want {
			if s {
				n++
			}
		}
		if len(a.Signatures) != n {
			t.Errorf("%s: %d signatures, want %d", step, len(a.Signatures), n)
		}
	}
	check("at-once", map[string]bool{e.Secret: true, rot.Secret: true})
	w.clock.add(24*time.Hour - time.Second)
	check("almost-a-day", map[string]bool{e.Secret: true, rot.Secret: true})
	w.clock.add(time.Second)
	check("a-day", map[string]bool{e.Secret: false, rot.Secret: true})
	rot2, err := w.registry.Rotate(ctxT(t), "key-a", e.ID)
	if err != nil {
		t.Fatal(err)
	}
	rot3, err := w.registry.Rotate(ctxT(t), "key-a", e.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("twice", map[string]bool{e.Secret: false, rot.Secret: false, rot2.Secret: true, rot3.Secret: true})
}
