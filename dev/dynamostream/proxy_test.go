package dynamostream

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend/dev/dynalite"
)

const table = "messages"

// startProxy runs dynalite with the product's messages table (pk, sk),
// the proxy in front of it watching that table, and returns the SDK client
// pointed at the proxy.
func startProxy(t *testing.T) (*Proxy, *dynamodb.Client) {
	t.Helper()
	_, endpoint := dynalite.StartTable(t, table)
	p, err := Start(endpoint, Options{Tables: []string{table}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		if err := p.Err(); err != nil {
			t.Errorf("proxy lost changes: %v", err)
		}
	})
	return p, dynalite.NewClient(p.URL)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

var msgKey = map[string]types.AttributeValue{"pk": s("msg#1"), "sk": s("msg")}

// TestProxyRecordsWrites ensures insert, modify, a refused conditional update, a write that changes nothing and a delete give exactly the records DynamoDB Streams would.
func TestProxyRecordsWrites(t *testing.T) {
	p, client := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	item := map[string]types.AttributeValue{"pk": s("msg#1"), "sk": s("msg"), "status": s("queued"),
		"tries": &types.AttributeValueMemberN{Value: "0"}}
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateItem(ctx, sendUpdate("queued")); err != nil {
		t.Fatal(err)
	}
	var failed *types.ConditionalCheckFailedException
	if _, err := client.UpdateItem(ctx, sendUpdate("queued")); !errors.As(err, &failed) {
		t.Fatalf("second conditional update: %v, want ConditionalCheckFailedException", err)
	}
	sameAgain := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: msgKey,
		UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("sent")}}
	if _, err := client.UpdateItem(ctx, sameAgain); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: msgKey}); err != nil {
		t.Fatal(err)
	}

	recs := p.Stream(table).Records()
	const (
		key    = `{"pk":{"S":"msg#1"},"sk":{"S":"msg"}}`
		queued = `{"pk":{"S":"msg#1"},"sk":{"S":"msg"},"status":{"S":"queued"},"tries":{"N":"0"}}`
		sent   = `{"pk":{"S":"msg#1"},"sk":{"S":"msg"},"status":{"S":"sent"},"tries":{"N":"1"}}`
	)
	want := []struct{ name, old, new string }{{"INSERT", "", queued}, {"MODIFY", queued, sent}, {"REMOVE", sent, ""}}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.EventName != w.name || r.EventVersion != "1.1" || r.EventSource != "aws:dynamodb" || r.AWSRegion != "us-east-1" ||
			r.EventSourceArn != p.Stream(table).ARN || !strings.HasPrefix(r.EventSourceArn, "arn:aws:dynamodb:us-east-1:123456789012:table/messages/stream/") ||
			r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Change.SequenceNumber != sequenceNumber(uint64(i+1)) ||
			r.Change.SizeBytes <= 0 || time.Since(r.Change.ApproximateCreationDateTime.Time) > time.Minute || len(r.EventID) != 32 {
			t.Errorf("record %d: %+v", i, r)
		}
		assertImage(t, "Keys", r.Change.Keys, key)
		assertImage(t, "OldImage", r.Change.OldImage, w.old)
		assertImage(t, "NewImage", r.Change.NewImage, w.new)
	}
}

// sendUpdate marks the message sent if its status is from.
func sendUpdate(from string) *dynamodb.UpdateItemInput {
	return &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: msgKey,
		UpdateExpression:          aws.String("SET #s = :to ADD tries :one"),
		ConditionExpression:       aws.String("#s = :from"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": s("sent"), ":from": s(from), ":one": &types.AttributeValueMemberN{Value: "1"}},
	}
}

// assertImage compares an image with wire JSON as values ("" for none).
func assertImage(t *testing.T, what string, got map[string]events.DynamoDBAttributeValue, want string) {
	t.Helper()
	if want == "" {
		if got != nil {
			t.Errorf("%s %v, want none", what, got)
		}
		return
	}
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	_ = json.Unmarshal(raw, &g)
	_ = json.Unmarshal([]byte(want), &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s %s, want %s", what, raw, want)
	}
}

// TestProxyPassesReadsAndOtherTables ensures reads, unwatched tables and BatchWriteItem behave as on dynalite, with records only for the watched table.
func TestProxyPassesReadsAndOtherTables(t *testing.T) {
	p, client := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("other"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		table:   {{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("a"), "sk": s("1")}}}, {PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("b"), "sk": s("1")}}}},
		"other": {{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("x")}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("other"), Key: map[string]types.AttributeValue{"id": s("x")}})
	if err != nil || got.Item == nil {
		t.Fatalf("read through the proxy: %v %v", got, err)
	}
	if p.Stream("other") != nil {
		t.Fatal("an unwatched table has a stream")
	}
	recs := p.Stream(table).Records()
	if len(recs) != 2 || recs[0].EventName != "INSERT" || recs[0].Change.Keys["pk"].String() != "a" || recs[1].Change.Keys["pk"].String() != "b" {
		t.Fatalf("records %+v", recs)
	}
}

// TestProxyOrdersConcurrentWriters ensures 200 concurrent increments of one item land in the stream in the order they were applied: each record's old image is the previous record's new image.
func TestProxyOrdersConcurrentWriters(t *testing.T) {
	p, client := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const writers = 200
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: msgKey,
				UpdateExpression:          aws.String("ADD n :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	recs := p.Stream(table).Records()
	if len(recs) != writers {
		t.Fatalf("%d records, want %d", len(recs), writers)
	}
	for i, r := range recs {
		if n := r.Change.NewImage["n"].Number(); n != strconv.Itoa(i+1) {
			t.Fatalf("record %d has n=%s, want %d", i, n, i+1)
		}
		if i > 0 && (r.Change.OldImage["n"].Number() != strconv.Itoa(i) || r.Change.SequenceNumber <= recs[i-1].Change.SequenceNumber) {
			t.Fatalf("record %d: old %v after new %v", i, r.Change.OldImage, recs[i-1].Change.NewImage)
		}
	}
	if recs[0].EventName != "INSERT" || recs[writers-1].EventName != "MODIFY" {
		t.Fatalf("event names %s … %s", recs[0].EventName, recs[writers-1].EventName)
	}
}

// TestPollerReadsProxyStream ensures a poller over the proxy's stream hands the function the records of real writes, in one event as Lambda would.
func TestPollerReadsProxyStream(t *testing.T) {
	p, client := startProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []events.DynamoDBEvent
	poller := NewPoller(p.Stream(table), Mapping{BatchSize: 10}, func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		got = append(got, ev)
		return nil, nil
	})
	for _, pk := range []string{"a", "b"} {
		item := map[string]types.AttributeValue{"pk": s(pk), "sk": s("msg")}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	if err := poller.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Records) != 2 || got[0].Records[1].Change.NewImage["pk"].String() != "b" {
		t.Fatalf("events %+v", got)
	}
}
