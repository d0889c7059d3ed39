package main_test

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// check holds the round's outcome against the documented promises (docs/api.md) and returns
// every broken one (with the request's answers, kill plans and record),
// and a one-line summary of the round.
//
//   - No message is delivered twice, nor to anyone no request named.
//   - A record says sent only when the message was delivered once; failed
//     or cancelled only when it was not; unknown only when its "content
//     may be at the server" mark was written (a kill before the mark is
//     taken over and sent, never settled unknown).
//   - POST /send: a sent answer was delivered once; delivery_unknown comes
//     only with the mark written; any other final refusal delivered
//     nothing.
//   - POST /messages: once answered 202, the message is delivered, or its
//     record is final (failed, unknown, cancelled), or it is in the
//     dead-letter queue: never silently lost. One still in the queue or
//     its schedule when the drain ended is pending, not lost. A final
//     refusal (never accepted) delivered nothing.
func (c *campaign) check() (violations []string, summary string) {
	c.t.Helper()
	delivered := map[string]int{}
	for _, m := range c.r.st.SMTP.Messages() {
		for _, to := range m.To {
			delivered[strings.ToLower(to)]++
		}
	}
	inQueue, dead, scheduled := envelopeIDs(c.r.sqs.Messages(rigQueue)), envelopeIDs(c.r.sqs.Messages(rigDeadLetter)), map[string]bool{}
	for _, s := range c.r.sched.Schedules() {
		if env, ok := sender.DecodeEnvelope([]byte(s.Input)); ok {
			scheduled[env.Queued.ID] = true
		}
	}

	known := map[string]bool{}
	finals := map[string]int{}
	var sends, unknowns, deadLettered, pending, gaveUp int
	for _, q := range c.reqs {
		known[strings.ToLower(q.to)] = true
		n := delivered[strings.ToLower(q.to)]
		sends += n
		id := q.id
		rec := c.r.record(id)
		status, last, marked := statusOf(rec), q.last(), c.wasMarked(id)
		broke := func(format string, args ...any) {
			violations = append(violations, fmt.Sprintf("request %d (%s, key %q): %s; answers: %s; record %s, mark %v, delivered %d",
				q.i, q.kind, q.key, fmt.Sprintf(format, args...), q.trail(), status, marked, n))
		}
		if q.gaveUp {
			gaveUp++
		} else {
			finals[q.kind+" "+last.String()]++
		}
		if n > 1 {
			broke("delivered %d times", n)
		}
		switch status {
		case "sent":
			if n != 1 {
				broke("the record says sent")
			}
		case "failed", "cancelled":
			if n != 0 {
				broke("the record says %s, yet it was delivered", status)
			}
		case "unknown":
			unknowns++
			if !marked {
				broke("the record says unknown, yet no invocation marked its content as possibly at the server")
			}
		}
		if q.kind == "send" {
			switch {
			case q.gaveUp:
			case last.status == 200 && n != 1:
				broke("answered sent")
			case last.code == "delivery_unknown" && !marked:
				broke("answered delivery_unknown, yet no invocation marked its content as possibly at the server")
			case last.status/100 != 2 && last.code != "delivery_unknown" && n != 0:
				broke("a final refusal (%s), yet delivered", last)
			}
			continue
		}
		switch {
		case !q.accepted():
			if !q.gaveUp && n != 0 {
				broke("a final refusal (%s), never accepted, yet delivered", last)
			}
		case n > 0 || status == "failed" || status == "unknown" || status == "cancelled":
		case dead[id]:
			deadLettered++
			c.t.Logf("request %d (%s) is in the dead-letter queue: answers %s; record %s", q.i, q.kind, q.trail(), status)
		case inQueue[id] || scheduled[id]:
			pending++
			c.t.Logf("request %d (%s) is still pending after the drain: answers %s; record %s", q.i, q.kind, q.trail(), status)
		default:
			broke("accepted (202), then lost: not delivered, its record %s, nothing in the queue, the dead-letter queue or a schedule", status)
		}
	}
	for to, n := range delivered {
		if !known[to] {
			violations = append(violations, fmt.Sprintf("%d message(s) delivered to %s, which no request named", n, to))
		}
	}

	kills := 0
	for _, kl := range append(c.apis, c.consumer) {
		kills += kl.in.Kills()
	}
	var fs []string
	for k, n := range finals {
		fs = append(fs, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(fs)
	summary = fmt.Sprintf("%d requests, %d deliveries, %d unknown, %d dead-lettered, %d pending after the drain, %d gave up; %d kills; faults: %s; final answers: %s; clients %s, drain %s",
		len(c.reqs), sends, unknowns, deadLettered, pending, gaveUp, kills, c.faultCounts(), strings.Join(fs, ", "),
		c.clientsTook.Round(100*time.Millisecond), c.drainTook.Round(100*time.Millisecond))
	return violations, summary
}

// envelopeIDs is the record ids of the queued envelopes among msgs.
func envelopeIDs(msgs []devsqs.Message) map[string]bool {
	ids := map[string]bool{}
	for _, m := range msgs {
		if env, ok := sender.DecodeEnvelope([]byte(m.Body)); ok {
			ids[env.Queued.ID] = true
		}
	}
	return ids
}
