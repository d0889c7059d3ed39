package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

func scheduled(id string, now time.Time) *gmailsend.Record {
	at := now.Add(time.Hour).Truncate(time.Millisecond)
	return &gmailsend.Record{ID: id, Status: gmailsend.StatusScheduled, Account: "credential:desk", Source: "apigateway-rest",
		Caller: "key-1", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(24 * time.Hour), ScheduledAt: &at}
}

// TestMoveOnlyFromTheGivenStatuses ensures Move writes a record only from the named statuses (else ErrStatusChanged), and scheduledAt reads back.
func TestMoveOnlyFromTheGivenStatuses(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := scheduled(gmailsend.NewID(), now)
	if _, err := tbl.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, err := tbl.Get(ctx, rec.ID)
	if err != nil || got.ScheduledAt == nil || !got.ScheduledAt.Equal(*rec.ScheduledAt) || got.Status != gmailsend.StatusScheduled {
		t.Fatalf("read back %+v, %v", got, err)
	}
	sending := *rec
	sending.Status = gmailsend.StatusSending
	if err := tbl.Move(ctx, &sending, gmailsend.StatusQueued); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("move from queued: %v", err)
	}
	if err := tbl.Move(ctx, &sending, gmailsend.StatusQueued, gmailsend.StatusScheduled); err != nil {
		t.Fatal(err)
	}
	if got, _ := tbl.Get(ctx, rec.ID); got.Status != gmailsend.StatusSending {
		t.Fatalf("status %s", got.Status)
	}
}

// TestCancelRacesConsumer ensures that of a cancel and a consumer moving the same scheduled record at once, exactly one wins.
func TestCancelRacesConsumer(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for range 10 {
		rec := scheduled(gmailsend.NewID(), now)
		if _, err := tbl.Claim(ctx, rec); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, to := range []gmailsend.Status{gmailsend.StatusCancelled, gmailsend.StatusSending} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := *rec
				r.Status = to
				errs[i] = tbl.Move(ctx, &r, gmailsend.StatusScheduled)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("cancel: %v, consumer: %v; want exactly one to win", errs[0], errs[1])
		}
	}
}

// TestBeginOnlyFromQueuedOrScheduled ensures Begin moves a scheduled record to sending under the token and returns it whole, and refuses a record in any other status or an absent one.
func TestBeginOnlyFromQueuedOrScheduled(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := scheduled(gmailsend.NewID(), now)
	if _, err := tbl.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, _, err := tbl.BeginFrom(ctx, rec.ID, rec.Fingerprint, "tok-1", now.Add(time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != gmailsend.StatusSending || got.Token != "tok-1" || got.Caller != "key-1" || got.ScheduledAt == nil || !got.LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("begun %+v", got)
	}
	if _, _, err := tbl.BeginFrom(ctx, rec.ID, "", "tok-2", now.Add(time.Minute), now); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("second begin: %v", err)
	}
	if _, _, err := tbl.BeginFrom(ctx, gmailsend.NewID(), "", "tok-3", now.Add(time.Minute), now); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("absent record: %v", err)
	}
	// Finish with the token holds: the claim is Begin's.
	got.Status = gmailsend.StatusSent
	if err := tbl.Finish(ctx, got); err != nil {
		t.Fatal(err)
	}
}

// TestBeginRefusesAnotherRequest ensures a payload whose fingerprint is
// not the record's (one an earlier attempt left, then corrected under the
// same idempotency key) never moves the record to sending, while the
// record's own payload does.
func TestBeginRefusesAnotherRequest(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := scheduled(gmailsend.NewID(), now)
	rec.Fingerprint = "new-request"
	if _, err := tbl.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tbl.BeginFrom(ctx, rec.ID, "old-request", "tok-1", now.Add(time.Minute), now); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("begin with the old request's fingerprint: %v", err)
	}
	got, _, err := tbl.BeginFrom(ctx, rec.ID, "new-request", "tok-2", now.Add(time.Minute), now)
	if err != nil || got.Status != gmailsend.StatusSending || got.Token != "tok-2" {
		t.Fatalf("begin with the record's own fingerprint: %+v %v", got, err)
	}
}
