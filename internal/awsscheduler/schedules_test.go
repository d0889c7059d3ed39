package awsscheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devscheduler"
	"github.com/gmailsend/gmailsend/dev/devsqs"
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
	if err := s.Create(ctxT(t), "abc", "fp1", at, `{"id":"abc"}`); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctxT(t), "abc", "fp1", at, `{"id":"abc"}`); err != nil {
		t.Fatalf("repeated create: %v", err)
	}
	if n := sch.Calls("GetSchedule"); n != 1 {
		t.Fatalf("%d GetSchedule calls, want the conflict read back once", n)
	}
	all := sch.Schedules()
	if len(all) != 1 {
		t.Fatalf("%d schedules", len(all))
	}
	got := all[0]
	if got.Name != Name("abc", "fp1") || got.Group != "gmailsend" || got.FlexibleWindowMode != "OFF" ||
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
	if err := s.Create(ctxT(t), "x1", "fp", time.Now().Add(time.Hour), "{}"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctxT(t), "x1", "other"); !errors.Is(err, gmailsend.ErrNoSchedule) {
		t.Fatalf("delete of another request's schedule: %v", err)
	}
	if err := s.Delete(ctxT(t), "x1", "fp"); err != nil {
		t.Fatal(err)
	}
	if len(sch.Schedules()) != 0 {
		t.Fatal("schedule still there")
	}
	if err := s.Delete(ctxT(t), "x1", "fp"); !errors.Is(err, gmailsend.ErrNoSchedule) {
		t.Fatalf("second delete: %v", err)
	}
}

// An unreachable endpoint is queue_unavailable, within the call timeout.
func TestUnreachable(t *testing.T) {
	sch, _, s := setup(t)
	sch.Close()
	s.CallTimeout = time.Second
	err := s.Create(ctxT(t), "y", "fp", time.Now().Add(time.Hour), "{}")
	if gmailsend.CodeOf(err) != gmailsend.CodeQueueUnavailable {
		t.Fatalf("err = %v", err)
	}
}

// A schedule name is a record's request: another fingerprint (a corrected
// retry under the same idempotency key) is another schedule, and a name
// that exists with another time or input (what a conflict alone cannot
// tell) is idempotency_conflict, never taken for this request's.
func TestCreateConflictIsReadBack(t *testing.T) {
	sch, _, s := setup(t)
	at := time.Now().Add(time.Hour)
	if Name("r1", "old") == Name("r1", "new") || len(Name("01JBCDEFGHJKMNPQRSTVWXYZ01", "x")) > 64 {
		t.Fatalf("names %s %s", Name("r1", "old"), Name("01JBCDEFGHJKMNPQRSTVWXYZ01", "x"))
	}
	if err := s.Create(ctxT(t), "r1", "old", at, `{"v":1}`); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctxT(t), "r1", "new", at.Add(time.Hour), `{"v":2}`); err != nil {
		t.Fatalf("corrected request: %v", err)
	}
	if n := len(sch.Schedules()); n != 2 {
		t.Fatalf("%d schedules, want the old and the corrected one apart", n)
	}
	err := s.Create(ctxT(t), "r1", "old", at.Add(time.Minute), `{"v":1}`)
	if gmailsend.CodeOf(err) != gmailsend.CodeIdempotencyConflict {
		t.Fatalf("same name, other time: %v", err)
	}
	err = s.Create(ctxT(t), "r1", "old", at, `{"v":3}`)
	if gmailsend.CodeOf(err) != gmailsend.CodeIdempotencyConflict {
		t.Fatalf("same name, other input: %v", err)
	}
}

// With a customer managed key (SCHEDULE_KMS_KEY_ARN) the schedule's input
// is encrypted with it.
func TestCreateWithCustomerKey(t *testing.T) {
	sch, _, s := setup(t)
	s.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if err := s.Create(ctxT(t), "keyed", "fp", time.Now().Add(time.Hour), `{"id":"keyed"}`); err != nil {
		t.Fatal(err)
	}
	if all := sch.Schedules(); len(all) != 1 || all[0].KMSKeyARN != s.KMSKeyARN {
		t.Fatalf("schedules %+v", all)
	}
}
