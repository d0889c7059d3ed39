package main_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmailsend/gmailsend/dev/faultproxy"
)

// killPoint is where a kill plan ends an invocation.
type killPoint int

const (
	killNever   killPoint = iota
	killTimer             // a random moment after the invocation starts
	killWrite             // right after its n-th DynamoDB write was applied
	killEnqueue           // right after SendMessage(Batch) or CreateSchedule was applied
	killMark              // right after a "content may be at the server" mark was applied
	killContent           // once the SMTP server has a message's content, before its reply
)

var killNames = [...]string{"never", "timer", "write", "enqueue", "mark", "content"}

func (k killPoint) String() string { return killNames[k] }

// killPlan is how one invocation is to die.
type killPlan struct {
	point killPoint
	n     int           // killWrite: which write
	after time.Duration // killTimer: when
}

func (p killPlan) String() string {
	switch p.point {
	case killWrite:
		return fmt.Sprintf("write#%d", p.n)
	case killTimer:
		return "timer " + p.after.Round(time.Millisecond).String()
	}
	return p.point.String()
}

// drawPlan picks an invocation's kill plan: none with probability
// 1-rate, else one of the points that route can reach (the consumer's
// invocations reach all but the enqueue).
func drawPlan(rnd *rand.Rand, rate float64, route string) killPlan {
	if rnd.Float64() >= rate {
		return killPlan{}
	}
	var points []killPoint
	switch route {
	case "send", "consumer":
		points = []killPoint{killTimer, killWrite, killMark, killContent}
	default: // queued, scheduled: accepting sends nothing
		points = []killPoint{killTimer, killWrite, killEnqueue}
	}
	p := killPlan{point: points[rnd.IntN(len(points))]}
	switch p.point {
	case killTimer:
		p.after = time.Duration(rnd.IntN(400)) * time.Millisecond
	case killWrite:
		p.n = 1 + rnd.IntN(3)
	}
	return p
}

// attempt is one invocation under a plan: the proxies' and the SMTP
// server's hooks count what it did and kill it at the plan's point.
type attempt struct {
	plan   killPlan
	writes atomic.Int32
	fired  atomic.Bool
}

// killer arms the kill plans of one instance's invocations.
type killer struct {
	in  *instance
	cur atomic.Pointer[attempt]
}

// arm starts an invocation under plan; disarm ends it.
func (k *killer) arm(plan killPlan) *attempt {
	a := &attempt{plan: plan}
	k.cur.Store(a)
	if plan.point == killTimer {
		time.AfterFunc(plan.after, func() { k.fire(a, killTimer) })
	}
	return a
}

func (k *killer) disarm() { k.cur.Store(nil) }

// fire kills the instance when a, still the current invocation, planned
// to die at point.
func (k *killer) fire(a *attempt, point killPoint) {
	if a == nil || a.plan.point != point || k.cur.Load() != a || !a.fired.CompareAndSwap(false, true) {
		return
	}
	k.in.Kill()
}

// hook is the instance's proxies' hook: it notes the marks (marked) and
// fires the plan's proxy points. It never injects anything itself: the
// proxies' random faults do.
func (k *killer) hook(marked func(id string)) faultproxy.Hook {
	return func(op string, body []byte, ph faultproxy.Phase) error {
		if ph != faultproxy.Applied {
			return nil
		}
		a := k.cur.Load()
		if marksContent(op, body) {
			marked(recordOf(body))
			k.fire(a, killMark)
		}
		if (op == "PutItem" || op == "UpdateItem" || op == "DeleteItem") && a != nil && int(a.writes.Add(1)) == a.plan.n {
			k.fire(a, killWrite)
		}
		if strings.HasPrefix(op, "SendMessage") || op == "CreateSchedule" {
			k.fire(a, killEnqueue)
		}
		return nil
	}
}

// recordOf is the record id a DynamoDB item request's key (or, for a
// PutItem, its item) names.
func recordOf(body []byte) string {
	var in struct {
		Key, Item map[string]struct{ S string }
	}
	_ = json.Unmarshal(body, &in)
	if pk := in.Key["pk"].S; pk != "" {
		return strings.TrimPrefix(pk, "msg#")
	}
	return strings.TrimPrefix(in.Item["pk"].S, "msg#")
}

// owners maps each recipient to the killer whose invocation sends to it,
// so the SMTP server's content hook can fire the right plan.
type owners struct {
	mu sync.Mutex
	by map[string]*killer
}

func (o *owners) set(to string, k *killer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.by[strings.ToLower(to)] = k
}

// content is the SMTP server's content hook.
func (o *owners) content(to []string) {
	for _, a := range to {
		o.mu.Lock()
		k := o.by[strings.ToLower(a)]
		o.mu.Unlock()
		if k != nil {
			k.fire(k.cur.Load(), killContent)
		}
	}
}
