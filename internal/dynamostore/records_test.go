package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

func newTable(t *testing.T) *dynamostore.Table {
	t.Helper()
	client, _ := dynalite.StartTable(t, "messages")
	return dynamostore.NewWithAPI("messages", client)
}

func claim(id string, now time.Time, lease time.Duration) *gmailsend.Record {
	return &gmailsend.Record{
		ID: id, Status: gmailsend.StatusSending, Account: "credential:desk", Source: "sqs", Recipients: 2,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
		Keyed: true, Fingerprint: "f1", KeyUntil: now.Add(24 * time.Hour), LeaseUntil: now.Add(lease), Token: gmailsend.NewToken(),
	}
}

// TestClaimIsExclusive ensures a second claim of a held id fails and returns the holder, and a finished record reads back intact.
func TestClaimIsExclusive(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	id := gmailsend.KeyedID("", "key-1")
	first := claim(id, now, time.Minute)
	if _, err := tbl.Claim(ctx, first); err != nil {
		t.Fatal(err)
	}
	holder, err := tbl.Claim(ctx, claim(id, now, time.Minute))
	if !errors.Is(err, gmailsend.ErrClaimTaken) || holder == nil || holder.Token != first.Token || holder.Status != gmailsend.StatusSending {
		t.Fatalf("second claim: %+v %v", holder, err)
	}
	first.Status, first.MessageID = gmailsend.StatusSent, "<x@gmail.com>"
	first.Reply = &gmailsend.SMTPReply{Code: 250, EnhancedCode: "2.0.0", Message: "OK"}
	if err := tbl.Finish(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := tbl.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != gmailsend.StatusSent || got.MessageID != "<x@gmail.com>" || got.Reply.Code != 250 || got.Recipients != 2 ||
		!got.CreatedAt.Equal(now) || got.ExpiresAt.Unix() != now.Add(30*24*time.Hour).Unix() || got.Fingerprint != "f1" {
		t.Fatalf("read back %+v", got)
	}
}

// TestClaimRecognisesItsOwnWrite ensures a claim whose PutItem was applied but whose answer was lost, so that the SDK's retry meets its own write, is held — not taken for another invocation's claim (which, with the "content may be at the server" mark carried in the claim, would leave the key sending with the mark and end it unknown with nothing sent).
func TestClaimRecognisesItsOwnWrite(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	mine := claim(gmailsend.KeyedID("", "key-own"), now, time.Minute)
	mine.ContentAt = now
	if _, err := tbl.Claim(ctx, mine); err != nil {
		t.Fatal(err)
	}
	again := *mine // the retried request: the same item, the same token
	if holder, err := tbl.Claim(ctx, &again); err != nil || holder != nil {
		t.Fatalf("the retry of our own claim: %+v %v, want it held", holder, err)
	}
	other := claim(mine.ID, now, time.Minute) // another invocation: another token
	if holder, err := tbl.Claim(ctx, other); !errors.Is(err, gmailsend.ErrClaimTaken) || holder == nil || holder.Token != mine.Token {
		t.Fatalf("another invocation's claim: %+v %v", holder, err)
	}
}

// TestClaimTakesOverExpiredLeaseAndReleased ensures a claim left by a crashed invocation (lease over) or released is taken over, and the old holder can no longer finish.
func TestClaimTakesOverExpiredLeaseAndReleased(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC()
	id := gmailsend.NewID()
	old := claim(id, now.Add(-time.Minute), 30*time.Second) // lease ended 30 s ago
	if _, err := tbl.Claim(ctx, old); err != nil {
		t.Fatal(err)
	}
	fresh := claim(id, now, time.Minute)
	if _, err := tbl.Claim(ctx, fresh); err != nil {
		t.Fatalf("take-over: %v", err)
	}
	old.Status = gmailsend.StatusSent
	if err := tbl.Finish(ctx, old); !errors.Is(err, gmailsend.ErrClaimLost) {
		t.Fatalf("late finish: %v, want ErrClaimLost", err)
	}
	fresh.Status, fresh.Released, fresh.ErrorCode = gmailsend.StatusFailed, true, gmailsend.CodeSMTPAuthFailed
	if err := tbl.Finish(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Claim(ctx, claim(id, now, time.Minute)); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
}

// TestGetUnknown ensures an unknown id is gmailsend.ErrNotFound.
func TestGetUnknown(t *testing.T) {
	tbl := newTable(t)
	if _, err := tbl.Get(context.Background(), gmailsend.NewID()); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
}

// TestUnreachableTableIsStoreUnavailable ensures a table that cannot be reached answers store_unavailable, not internal.
func TestUnreachableTableIsStoreUnavailable(t *testing.T) {
	tbl := dynamostore.NewWithAPI("messages", dynalite.NewClient("http://127.0.0.1:1"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := tbl.Get(ctx, gmailsend.NewID())
	if c := gmailsend.CodeOf(err); c != gmailsend.CodeStoreUnavailable && c != gmailsend.CodeTimeout {
		t.Fatalf("code %s (%v)", c, err)
	}
}

// TestClaimKeepsWaitingRecordAfterKeyExpiry ensures an idempotency key that
// has run out does not let a new claim overwrite a record still waiting to
// be sent (scheduled up to 30 days ahead, or queued) or being sent under a
// live lease: the waiting message would be silently dropped.
func TestClaimKeepsWaitingRecordAfterKeyExpiry(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	created := now.Add(-25 * time.Hour) // its 24-hour key ran out an hour ago
	for _, st := range []gmailsend.Status{gmailsend.StatusScheduled, gmailsend.StatusQueued, gmailsend.StatusSending} {
		id := gmailsend.KeyedID("key-1", "daily-"+string(st))
		waiting := scheduled(id, created)
		waiting.Status, waiting.Keyed, waiting.KeyUntil, waiting.Fingerprint = st, true, created.Add(24*time.Hour), "f1"
		waiting.ExpiresAt = now.Add(30 * 24 * time.Hour)
		if st == gmailsend.StatusSending {
			waiting.LeaseUntil, waiting.Token = now.Add(time.Minute), gmailsend.NewToken()
		}
		if _, err := tbl.Claim(ctx, waiting); err != nil {
			t.Fatal(err)
		}
		holder, err := tbl.Claim(ctx, claim(id, now, time.Minute))
		if !errors.Is(err, gmailsend.ErrClaimTaken) || holder == nil || holder.Status != st {
			t.Fatalf("%s: claim after key expiry: %+v %v, want ErrClaimTaken with the %s holder", st, holder, err, st)
		}
	}
	// A finished record's expired key is still free to claim again.
	id := gmailsend.KeyedID("key-1", "done")
	done := claim(id, created, time.Minute)
	if _, err := tbl.Claim(ctx, done); err != nil {
		t.Fatal(err)
	}
	done.Status = gmailsend.StatusSent
	if err := tbl.Finish(ctx, done); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Claim(ctx, claim(id, now, time.Minute)); err != nil {
		t.Fatalf("claim of an expired, finished key: %v", err)
	}
}
