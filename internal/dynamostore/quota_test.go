package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

// TestQuotaBucketsOnDynalite ensures the hour bucket's conditional add stops at the headroom, a block refuses until it ends, and PastHours reads the buckets in hour order.
func TestQuotaBucketsOnDynalite(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	now := time.Now()
	hour := now.Unix() / 3600
	max := gmailsend.Usage{Messages: 2, Recipients: 10}
	for i := 0; i < 2; i++ {
		if _, err := tbl.Add(ctx, "acct", hour, gmailsend.Usage{Messages: 1, Recipients: 3}, max, now); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	cur, err := tbl.Add(ctx, "acct", hour, gmailsend.Usage{Messages: 1, Recipients: 3}, max, now)
	if !errors.Is(err, gmailsend.ErrBucketFull) || cur.Messages != 2 || cur.Recipients != 6 || cur.Hour != hour {
		t.Fatalf("third add: %+v %v", cur, err)
	}
	if _, err := tbl.Add(ctx, "acct", hour-3, gmailsend.Usage{Messages: 1, Recipients: 1}, max, now); err != nil {
		t.Fatal(err)
	}
	if err := tbl.Block(ctx, "acct", hour, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Add(ctx, "acct", hour, gmailsend.Usage{Messages: 0, Recipients: 0}, max, now); !errors.Is(err, gmailsend.ErrBucketBlocked) {
		t.Fatalf("blocked add: %v", err)
	}
	past, err := tbl.PastHours(ctx, "acct", hour-23, hour)
	if err != nil || len(past) != 2 || past[0].Hour != hour-3 || past[1].Hour != hour || past[1].BlockedUntil.Unix() != now.Add(time.Hour).Unix() {
		t.Fatalf("past %+v %v", past, err)
	}
	if other, _ := tbl.PastHours(ctx, "other", hour-23, hour); len(other) != 0 {
		t.Fatalf("another account sees %+v", other)
	}
}
