package awsscheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/dev/devscheduler"
	"github.com/gmailsend/gmailsend/internal/dev/devsqs"
	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/store"
)

const role = "arn:aws:iam::000000000000:role/gmailsend-scheduler"

func setup(t *testing.T) (*devscheduler.Server, *devsqs.Server, *Schedules) {
	t.Helper()
	q := devsqs.Start()
	t.Cleanup(q.Close)
	q.CreateQueue("send", devsqs.QueueOptions{})
	sch := devscheduler.Start(q)
	t.Cleanup(sch.Close)
	return sch, q, NewWithAPI("gmailsend", devsqs.QueueARN("send"), role, sch.Client())
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The at() expression is UTC and rounded up, never earlier than asked.
func TestExpressionRoundsUpInUTC(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	for in, want := range map[time.Time]string{
		time.Date(2026, 11, 24, 9, 0, 0, 0, kst):             "at(2026-11-24T00:00:00)",
		time.Date(2026, 11, 24, 9, 0, 0, 1, kst):             "at(2026-11-24T00:00:01)",
		time.Date(2026, 12, 31, 23, 59, 59, 500e6, time.UTC): "at(2027-01-01T00:00:00)",
	} {
		if got := Expression(in); got != want {
			t.Errorf("Expression(%v) = %s, want %s", in, got, want)
		}
	}
}

// Create makes a one-time schedule in the group, OFF window, DELETE after
// completion, targeting the queue with the role, which fires the input
// onto the queue at its time; a repeated Create is not an error.
func TestCreateFiresOntoTheQueue(t *testing.T) {
	sch, q, s := setup(t)
	at := time.Now().Add(1200 * time.Millisecond)
	if err := s.Create(ctxT(t), "abc", at, `{"id":"abc"}`); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctxT(t), "abc", at, `{"id":"abc"}`); err != nil {
		t.Fatalf("repeated create: %v", err)
	}
	all := sch.Schedules()
	if len(all) != 1 {
		t.Fatalf("%d schedules", len(all))
	}
	got := all[0]
	if got.Name != "msg-abc" || got.Group != "gmailsend" || got.FlexibleWindowMode != "OFF" ||
		got.ActionAfterCompletion != "DELETE" || got.TargetARN != devsqs.QueueARN("send") || got.RoleARN != role || got.Timezone != "UTC" ||
		got.KMSKeyARN != "" {
		t.Fatalf("schedule %+v", got)
	}
	deadline := time.Now().Add(4 * time.Second)
	for len(q.Messages("send")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	msgs := q.Messages("send")
	if len(msgs) != 1 || msgs[0].Body != `{"id":"abc"}` || msgs[0].SentAt.Before(at) {
		t.Fatalf("queue %+v, schedule time %v", msgs, at)
	}
}

// Delete removes a pending schedule (it never fires), and reports
// ErrNoSchedule for one that is gone.
func TestDelete(t *testing.T) {
	sch, _, s := setup(t)
	if err := s.Create(ctxT(t), "x1", time.Now().Add(time.Hour), "{}"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctxT(t), "x1"); err != nil {
		t.Fatal(err)
	}
	if len(sch.Schedules()) != 0 {
		t.Fatal("schedule still there")
	}
	if err := s.Delete(ctxT(t), "x1"); !errors.Is(err, store.ErrNoSchedule) {
		t.Fatalf("second delete: %v", err)
	}
}

// An unreachable endpoint is queue_unavailable, within the call timeout.
func TestUnreachable(t *testing.T) {
	sch, _, s := setup(t)
	sch.Close()
	s.CallTimeout = time.Second
	err := s.Create(ctxT(t), "y", time.Now().Add(time.Hour), "{}")
	if email.CodeOf(err) != email.CodeQueueUnavailable {
		t.Fatalf("err = %v", err)
	}
}

// With a customer managed key (SCHEDULE_KMS_KEY_ARN) the schedule's input
// is encrypted with it.
func TestCreateWithCustomerKey(t *testing.T) {
	sch, _, s := setup(t)
	s.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if err := s.Create(ctxT(t), "keyed", time.Now().Add(time.Hour), `{"id":"keyed"}`); err != nil {
		t.Fatal(err)
	}
	if all := sch.Schedules(); len(all) != 1 || all[0].KMSKeyARN != s.KMSKeyARN {
		t.Fatalf("schedules %+v", all)
	}
}
