package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// TestSuppressionList ensures add-once, case-insensitive lookup, a batch
// check across more than 100 addresses, per-account separation, removal,
// and that no address is stored in any item.
func TestSuppressionList(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	tbl := dynamostore.NewWithAPI("messages", client)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Millisecond)
	s := bounce.Suppression{Account: "addr:a", Address: "Gone@Example.net", Reason: bounce.ReasonBounce,
		Status: "5.2.1", Diagnostic: "smtp; 550 5.2.1 <address>: Mailbox disabled", SourceID: "rec1", CreatedAt: at}
	if added, err := tbl.Suppress(ctx, s); err != nil || !added {
		t.Fatalf("first add: %v %v", added, err)
	}
	if added, err := tbl.Suppress(ctx, s); err != nil || added {
		t.Fatalf("second add: %v %v", added, err)
	}
	got, err := tbl.Suppression(ctx, "addr:a", "gone@example.net")
	if err != nil || got.Status != "5.2.1" || got.SourceID != "rec1" || !got.CreatedAt.Equal(at) || got.Reason != bounce.ReasonBounce {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, err := tbl.Suppression(ctx, "addr:b", "gone@example.net"); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Errorf("another account: %v", err)
	}
	var many []string
	for i := 0; i < 150; i++ {
		many = append(many, "user"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+"@example.com")
	}
	many = append(many, "GONE@example.net")
	hits, err := tbl.Suppressed(ctx, "addr:a", many)
	if err != nil || len(hits) != 1 || hits[0] != (bounce.Listed{Address: "GONE@example.net", Reason: bounce.ReasonBounce}) {
		t.Fatalf("Suppressed = %v %v", hits, err)
	}
	scan, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("messages")})
	if err != nil || len(scan.Items) != 1 {
		t.Fatalf("scan: %d items, %v", len(scan.Items), err)
	}
	var plain map[string]any
	if err := attributevalue.UnmarshalMap(scan.Items[0], &plain); err != nil {
		t.Fatal(err)
	}
	if raw := fmt.Sprint(plain); !strings.Contains(raw, "5.2.1") || strings.Contains(strings.ToLower(raw), "gone") || strings.Contains(raw, "@") {
		t.Errorf("the stored item holds the address: %s", raw)
	}
	if removed, err := tbl.Unsuppress(ctx, "addr:a", "gone@example.net"); err != nil || !removed {
		t.Fatalf("remove: %v %v", removed, err)
	}
	if removed, _ := tbl.Unsuppress(ctx, "addr:a", "gone@example.net"); removed {
		t.Error("removed twice")
	}
	if hits, _ := tbl.Suppressed(ctx, "addr:a", many); len(hits) != 0 {
		t.Errorf("still suppressed: %v", hits)
	}
}
