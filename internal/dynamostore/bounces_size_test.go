package dynamostore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// itemLimitKB is DynamoDB's item size limit (400 KB, 409,600 bytes).
const itemLimitKB = 400

// TestFullestRecordFits ensures the fullest message record the limits
// allow — bounce.MaxRecipientKeys recipient keys, a bounce entry for every
// recipient with the longest diagnostic (Event.Admit keeps them within
// bounce.MaxRecordDiagnostics), the longest account and Message-ID — is
// written and then updated by the real code paths in dynalite, and
// measures it (dynalite's own item size, as PutItem's consumed write
// units): at most half of DynamoDB's 400 KB item limit.
func TestFullestRecordFits(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	tbl := dynamostore.NewWithAPI("messages", client)
	for _, n := range []int{100, bounce.MaxRecipientKeys} {
		kb := fullestRecordKB(t, tbl, client, n)
		t.Logf("fullest record with %d recipients: %d KB of DynamoDB's %d KB", n, kb, itemLimitKB)
		if kb > itemLimitKB/2 {
			t.Errorf("%d recipients: %d KB, more than half the item limit", n, kb)
		}
	}
}

// fullestRecordKB writes the fullest record of a message to n recipients,
// bounces the last recipient through Table.Record, and returns the size
// of the item in KB.
func fullestRecordKB(t *testing.T, tbl *dynamostore.Table, client *dynamodb.Client, n int) int {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	recipients := make([]string, n)
	for i := range recipients {
		recipients[i] = fmt.Sprintf("recipient-%04d@example.com", i)
	}
	messageID := fmt.Sprintf("<%s.%04d@gmail.com>", strings.Repeat("m", 230), n) // 250 characters, the most a notification may name
	rec := claim(gmailsend.NewID(), now, time.Minute)
	rec.Account, rec.Caller, rec.Source = "credential:"+strings.Repeat("d", 128), "k1a2b3c4d5", "apigateway-rest"
	rec.Fingerprint, rec.Recipients, rec.RecipientKeys = strings.Repeat("f", 64), n, bounce.RecipientKeys(recipients)
	if _, err := tbl.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}

	// Every recipient but the last bounced with the longest diagnostic,
	// by the domain's rule (Admit), written at once.
	target := bounce.Target{Account: rec.Account, Status: gmailsend.StatusSent, RecipientKeys: rec.RecipientKeys, Bounces: map[string]gmailsend.BounceMark{}}
	event := func(address string) bounce.Event {
		return bounce.Event{Owners: []string{rec.Account}, MessageID: messageID, RecipientHash: bounce.AddressHash(address),
			Outcome: bounce.Bounced, Status: "5.1.1", Diagnostic: strings.Repeat("d", bounce.MaxDiagnostic), At: now}
	}
	for _, r := range recipients[:n-1] {
		e := event(r)
		change, applied := e.Admit(target)
		if applied != bounce.Updated {
			t.Fatalf("%s: %v", r, applied)
		}
		target.Bounces[e.RecipientHash], target.Status = change.Mark, change.Status
	}
	rec.Status, rec.MessageID, rec.Bounces = target.Status, messageID, target.Bounces
	if err := tbl.Finish(ctx, rec); err != nil {
		t.Fatal(err)
	}
	// The last one through the table, as the reader applies it.
	if _, applied, err := bounce.Apply(ctx, tbl, nil, event(recipients[n-1])); err != nil || applied != bounce.Updated {
		t.Fatalf("the last bounce: %v %v", applied, err)
	}

	got, err := tbl.Get(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	diagnostics := 0
	for _, m := range got.Bounces {
		diagnostics += len(m.Diagnostic)
	}
	if len(got.Bounces) != n || len(got.RecipientKeys) != n || diagnostics > bounce.MaxRecordDiagnostics {
		t.Fatalf("read back %d entries, %d keys, %d bytes of diagnostics", len(got.Bounces), len(got.RecipientKeys), diagnostics)
	}

	// Its size: write a copy and read the write units it cost (1 per KB).
	raw, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("messages"), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "msg#" + rec.ID}, "sk": &types.AttributeValueMemberS{Value: "msg"}}})
	if err != nil {
		t.Fatal(err)
	}
	raw.Item["pk"] = &types.AttributeValueMemberS{Value: "size#" + rec.ID}
	put, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("messages"), Item: raw.Item, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if put.ConsumedCapacity == nil || put.ConsumedCapacity.CapacityUnits == nil {
		t.Fatal("dynalite reported no consumed capacity")
	}
	return int(*put.ConsumedCapacity.CapacityUnits)
}
