package dynalite

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// recorder is a testing.TB that keeps failures instead of failing.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Errorf(string, ...any) { r.errors++ }
func (r *recorder) Helper()               {}

// TestCheckNoSecretsCatches ensures the item scan flags a forbidden word and an address in any attribute but messageId, and passes a clean item.
func TestCheckNoSecretsCatches(t *testing.T) {
	client, _ := StartTable(t, "messages")
	put := func(attrs map[string]string) {
		item := map[string]types.AttributeValue{}
		for k, v := range attrs {
			item[k] = &types.AttributeValueMemberS{Value: v}
		}
		if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("messages"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put(map[string]string{"pk": "msg#1", "sk": "msg", "messageId": "<a.b@gmail.com>", "status": "sent"})
	clean := &recorder{TB: t}
	if n := CheckNoSecrets(clean, client, "messages", []string{"hunter2"}); n != 1 || clean.errors != 0 {
		t.Fatalf("clean table: %d items, %d errors", n, clean.errors)
	}
	put(map[string]string{"pk": "msg#2", "sk": "msg", "reply": "550 no such user kim@example.com", "note": "hunter2"})
	dirty := &recorder{TB: t}
	if CheckNoSecrets(dirty, client, "messages", []string{"hunter2"}); dirty.errors != 2 {
		t.Fatalf("%d errors, want 2 (the address and the password)", dirty.errors)
	}
}
