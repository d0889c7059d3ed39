package main_test

// Scripted crash points: each test kills the real bootstrap at one exact
// point between two durable writes (or between a write and the network)
// and checks the documented promise (docs/api.md) afterwards. The random campaign
// (chaos_test.go) covers the points in between.

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/faultproxy"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// crashRoute is a way in whose promise a scripted test checks.
type crashRoute struct {
	name      string
	scheduled bool // POST /messages with scheduledAt
	queued    bool // POST /messages (the queue's consumer sends it)
}

var (
	routeSend      = crashRoute{name: "POST /send"}
	routeQueued    = crashRoute{name: "POST /messages", queued: true}
	routeScheduled = crashRoute{name: "POST /messages scheduled", queued: true, scheduled: true}
)

// event is the route's keyed request to recipient with subject; a
// scheduled one is due in ahead.
func (c crashRoute) event(tb testing.TB, key, to, subject string, ahead time.Duration) []byte {
	if !c.queued {
		return apiEvent(tb, "POST", "/send", fixture.SendRequest(fixture.User, to, subject), key)
	}
	var at time.Time
	if c.scheduled {
		at = time.Now().Add(ahead).Truncate(time.Second).Add(time.Second)
	}
	return apiEvent(tb, "POST", "/messages", queuedBody(to, subject, at), key)
}

// answers is a list of answers as "killed, 409 idempotency_in_progress, 200 sent".
func answers(as []answer) string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}

// crashPoint sends a request through api once, expecting the process to
// die at the crash point the test armed.
func crashPoint(t *testing.T, api *instance, event []byte) {
	t.Helper()
	a := readAnswer(api.invoke(t.Context(), event))
	if a.err == nil || api.Kills() == 0 {
		t.Fatalf("the first request answered %s without reaching its crash point", a)
	}
}

// TestCrashAfterContentIsDeliveryUnknown ensures a process killed once the SMTP server has the whole message (before the function hears its reply) is never sent again: a keyed POST /send retried after the claim's lease answers delivery_unknown, and a queued message's redelivery settles its record unknown; one delivery either way.
func TestCrashAfterContentIsDeliveryUnknown(t *testing.T) {
	t.Parallel()
	r := startRig(t, rigOptions{})
	for _, route := range []crashRoute{routeSend, routeQueued} {
		t.Run(route.name, func(t *testing.T) {
			api, consumer := r.instance("api", faultproxy.Options{}), r.instance("consumer", faultproxy.Options{})
			key := "after-content " + route.name
			to := fmt.Sprintf("after-content-%v@example.com", route.queued)
			var once sync.Once
			kill := func(got []string) {
				if slices.Contains(got, to) {
					once.Do(func() { api.Kill(); consumer.Kill() })
				}
			}
			r.onContent.Store(&kill)
			defer r.onContent.Store(nil)
			checkUnknownAfterCrash(t, r, route, api, consumer, key, to, 1)
		})
	}
}

// TestCrashAfterMarkIsDeliveryUnknown ensures a process killed right after its "content may be at the server" mark is durable (and before any content went) is settled as docs/api.md promises for ambiguity: at most once, so delivery_unknown (POST /send after the lease) or an unknown record (queued), and nothing delivered.
func TestCrashAfterMarkIsDeliveryUnknown(t *testing.T) {
	t.Parallel()
	r := startRig(t, rigOptions{})
	for _, route := range []crashRoute{routeSend, routeQueued} {
		t.Run(route.name, func(t *testing.T) {
			key := "after-mark " + route.name
			to := fmt.Sprintf("after-mark-%v@example.com", route.queued)
			id := recordID(key)
			var once sync.Once
			var api, consumer *instance
			hook := func(op string, body []byte, ph faultproxy.Phase) error {
				if ph == faultproxy.Applied && marksContent(op, body) && writesRecord(op, body, id) {
					once.Do(func() { api.Kill(); consumer.Kill() })
				}
				return nil
			}
			api = r.instance("api", faultproxy.Options{Hook: hook})
			consumer = r.instance("consumer", faultproxy.Options{Hook: hook})
			checkUnknownAfterCrash(t, r, route, api, consumer, key, to, 0)
		})
	}
}

// checkUnknownAfterCrash runs route's request into its armed crash point
// (in api for POST /send, in consumer for a queued message), then
// checks the outcome is unknown with want deliveries, never more.
func checkUnknownAfterCrash(t *testing.T, r *rig, route crashRoute, api, consumer *instance, key, to string, want int) {
	t.Helper()
	event := route.event(t, key, to, "crash "+key, 0)
	id := recordID(key)
	began := time.Now()
	if !route.queued {
		crashPoint(t, api, event)
	} else {
		if got := r.untilFinal(api, event, 10*time.Second); got[len(got)-1].status != 202 {
			t.Fatalf("POST /messages answered %s", answers(got))
		}
		r.consumeUntil(consumer, 10*time.Second, func() bool { return consumer.Kills() > 0 })
		if consumer.Kills() == 0 {
			t.Fatalf("the consumer never reached the crash point; record %s", statusOf(r.record(id)))
		}
	}
	// The server keeps a message once the content hook that killed the
	// function returns, a moment after the kill.
	for wait := time.Now().Add(2 * time.Second); len(r.delivered(to)) < want && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(r.delivered(to)); n != want {
		t.Fatalf("%d delivered at the crash, want %d", n, want)
	}
	lease := began.Add(r.timeout + 5*time.Second)
	if !route.queued {
		time.Sleep(time.Until(lease))
		for i := range 2 {
			got := r.untilFinal(api, event, 15*time.Second)
			if last := got[len(got)-1]; last.status != 502 || last.code != "delivery_unknown" {
				t.Fatalf("retry %d after the lease answered %s, want 502 delivery_unknown", i+1, answers(got))
			}
		}
	} else {
		r.consumeUntil(consumer, 20*time.Second, func() bool { return time.Now().After(lease) && r.drained() })
	}
	if rec := r.record(id); statusOf(rec) != "unknown" {
		t.Fatalf("record %s, want unknown", statusOf(rec))
	}
	if n := len(r.delivered(to)); n != want {
		t.Fatalf("%d delivered in the end, want %d: the message was sent again after the crash", n, want)
	}
	if dlq := r.sqs.Messages(rigDeadLetter); len(dlq) != 0 {
		t.Fatalf("%d messages in the dead-letter queue", len(dlq))
	}
}

// TestCrashAroundEnqueueLosesNothing ensures an accepted POST /messages is never lost between the table and the queue (or its schedule): the process killed right after the record's first write, or right after SendMessageBatch (CreateSchedule) was applied, and the client's retry with the same Idempotency-Key ends in exactly one delivery, its record sent.
func TestCrashAroundEnqueueLosesNothing(t *testing.T) {
	t.Parallel()
	r := startRig(t, rigOptions{})
	for i, route := range []crashRoute{routeQueued, routeScheduled} {
		for j, point := range []string{"record", "queue"} {
			t.Run(route.name+"/killed after the "+point+" write", func(t *testing.T) {
				tag := fmt.Sprintf("around-enqueue-%d%d", i, j)
				id := recordID(tag)
				var once sync.Once
				var api *instance
				kill := func() { once.Do(func() { api.Kill() }) }
				recordHook := func(op string, body []byte, ph faultproxy.Phase) error {
					if point == "record" && ph == faultproxy.Applied && writesRecord(op, body, id) {
						kill()
					}
					return nil
				}
				queueHook := func(op string, body []byte, ph faultproxy.Phase) error {
					if point == "queue" && ph == faultproxy.Applied && (strings.HasPrefix(op, "SendMessage") || op == "CreateSchedule") {
						kill()
					}
					return nil
				}
				api = r.instance("api", faultproxy.Options{Hook: recordHook})
				api.sqs.SetHook(queueHook)
				api.sched.SetHook(queueHook)
				consumer := r.instance("consumer", faultproxy.Options{})
				checkOneDeliveryAfterRetry(t, r, route, api, consumer, tag, func(first answer) {
					if api.Kills() == 0 {
						t.Fatalf("the first request answered %s without reaching its crash point", first)
					}
				})
			})
		}
	}
}

// TestLostAcceptAnswerLosesNothing ensures a POST /messages whose DynamoDB record write was applied but whose answer was lost (the SDK retries it) still queues the message (or schedules it) and it is delivered exactly once; and a SendMessageBatch applied twice for the same reason sends it once.
func TestLostAcceptAnswerLosesNothing(t *testing.T) {
	t.Parallel()
	r := startRig(t, rigOptions{})
	for i, tc := range []struct {
		name  string
		route crashRoute
		queue bool // lose SendMessageBatch's answer rather than the record write's
	}{
		{"the record write's answer lost", routeQueued, false},
		{"the record write's answer lost", routeScheduled, false},
		{"SendMessageBatch's answer lost", routeQueued, true},
	} {
		t.Run(tc.route.name+"/"+tc.name, func(t *testing.T) {
			tag := fmt.Sprintf("lost-answer-%d", i)
			id := recordID(tag)
			var lost sync.Once
			lose := func(hit bool) error {
				var f error
				if hit {
					lost.Do(func() { f = faultproxy.LostReset })
				}
				return f
			}
			api := r.instance("api", faultproxy.Options{Hook: func(op string, body []byte, ph faultproxy.Phase) error {
				return lose(!tc.queue && ph == faultproxy.Applied && writesRecord(op, body, id))
			}})
			api.sqs.SetHook(func(op string, _ []byte, ph faultproxy.Phase) error {
				return lose(tc.queue && ph == faultproxy.Applied && strings.HasPrefix(op, "SendMessage"))
			})
			consumer := r.instance("consumer", faultproxy.Options{})
			checkOneDeliveryAfterRetry(t, r, tc.route, api, consumer, tag, func(first answer) {
				if n := api.dynamo.Injected()[faultproxy.LostReset] + api.sqs.Injected()[faultproxy.LostReset]; n != 1 {
					t.Fatalf("the first request (%s) lost %d answers, want 1", first, n)
				}
			})
		})
	}
}

// checkOneDeliveryAfterRetry sends route's request with key once (into
// the fault the test armed; checkFirst looks at what came of it), retries
// it as docs/api.md tells clients until it is accepted, consumes the queue,
// and checks the message was delivered exactly once and its record is
// sent.
func checkOneDeliveryAfterRetry(t *testing.T, r *rig, route crashRoute, api, consumer *instance, key string, checkFirst func(answer)) {
	t.Helper()
	to := key + "@example.com"
	event := route.event(t, key, to, "once "+key, 3*time.Second)
	first := readAnswer(api.invoke(t.Context(), event))
	checkFirst(first)
	got := []answer{first}
	if !first.final() {
		got = append(got, r.untilFinal(api, event, 20*time.Second)...)
	}
	if last := got[len(got)-1]; last.status != 202 {
		t.Fatalf("answers %s; want it accepted (202) in the end", answers(got))
	}
	id := recordID(key)
	r.consumeUntil(consumer, 25*time.Second, r.drained)
	if n := len(r.delivered(to)); n != 1 {
		t.Fatalf("answers %s; %d delivered, want exactly 1 (record %s, queue %d, dead letters %d, schedules %d)",
			answers(got), n, statusOf(r.record(id)), len(r.sqs.Messages(rigQueue)), len(r.sqs.Messages(rigDeadLetter)), len(r.sched.Schedules()))
	}
	if rec := r.record(id); statusOf(rec) != "sent" {
		t.Fatalf("answers %s; record %s, want sent", answers(got), statusOf(rec))
	}
}

// TestStaleScheduleNeverFires ensures a scheduled send whose CreateSchedule was applied but answered with a lost connection (so POST /messages failed, 503) and that the client then corrects (same Idempotency-Key, new content and time) delivers only the corrected content, once, not before its new time: the first schedule's payload is never sent.
func TestStaleScheduleNeverFires(t *testing.T) {
	t.Parallel()
	r := startRig(t, rigOptions{})
	var failing sync.Mutex // held while the first request runs
	first := true
	api := r.instance("api", faultproxy.Options{})
	api.sched.SetHook(func(op string, _ []byte, ph faultproxy.Phase) error {
		failing.Lock()
		defer failing.Unlock()
		if op != "CreateSchedule" || !first {
			return nil
		}
		if api.sched.Injected()[faultproxy.LostReset] > 0 {
			return faultproxy.ServerError // its retries fail: the request fails
		}
		if ph == faultproxy.Applied {
			return faultproxy.LostReset // the first is applied, its answer lost
		}
		return nil
	})
	consumer := r.instance("consumer", faultproxy.Options{})
	const key, to = "stale-schedule", "stale-schedule@example.com"
	oldAt := time.Now().Add(3 * time.Second).Truncate(time.Second).Add(time.Second)
	newAt := oldAt.Add(3 * time.Second)
	got := []answer{readAnswer(api.invoke(t.Context(), apiEvent(t, "POST", "/messages", queuedBody(to, "stale content", oldAt), key)))}
	failing.Lock()
	first = false // whatever happened, the retry meets no fault
	failing.Unlock()
	if got[0].status/100 == 2 {
		// Accepted after all: the client has no reason to correct it,
		// and a different request under the key is a conflict.
		retry := readAnswer(api.invoke(t.Context(), apiEvent(t, "POST", "/messages", queuedBody(to, "corrected content", newAt), key)))
		if retry.status != 409 || retry.code != "idempotency_conflict" {
			t.Fatalf("first accepted (%s); a different request under its key answered %s, want 409 idempotency_conflict", got[0], retry)
		}
		r.consumeUntil(consumer, 20*time.Second, r.drained)
		if s := r.subjectsTo(to); !slices.Equal(s, []string{"stale content"}) {
			t.Fatalf("first accepted (%s); delivered %q, want the accepted content once", got[0], s)
		}
		return
	}
	if got[0].final() {
		t.Fatalf("the first request answered %s; a lost CreateSchedule answer must leave the client free to retry", got[0])
	}
	got = append(got, r.untilFinal(api, apiEvent(t, "POST", "/messages", queuedBody(to, "corrected content", newAt), key), 15*time.Second)...)
	if last := got[len(got)-1]; last.status != 202 || last.code != "scheduled" {
		t.Fatalf("answers %s; want the corrected request scheduled (202)", answers(got))
	}
	r.consumeUntil(consumer, 25*time.Second, func() bool { return time.Now().After(newAt.Add(time.Second)) && r.drained() })
	subjects, arrived := r.subjectsTo(to), r.arrivedAt(to)
	if !slices.Equal(subjects, []string{"corrected content"}) {
		t.Fatalf("answers %s; delivered %q (at %v; old time %s, new %s), want only the corrected content, once: the stale schedule fired",
			answers(got), subjects, arrived, oldAt.Format(time.TimeOnly), newAt.Format(time.TimeOnly))
	}
	if arrived[0].Before(newAt) {
		t.Fatalf("the corrected content arrived at %s, before its time %s", arrived[0].Format(time.StampMilli), newAt.Format(time.StampMilli))
	}
	if rec := r.record(recordID(key)); statusOf(rec) != "sent" {
		t.Fatalf("record %s, want sent", statusOf(rec))
	}
}
