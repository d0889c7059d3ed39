package dynamostream

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// everyType is an item holding each attribute type of the wire protocol.
const everyType = `{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"1.5"},"m":{"M":{"x":{"L":[{"S":"y"},{"N":"2"}]}}},` +
	`"ss":{"SS":["p","q"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AAEqQQ=="]},"t":{"BOOL":true},"z":{"NULL":true},"bin":{"B":"AAEqQQ=="}}`

func testStream() *Stream {
	created := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	return newStream("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-02T03:04:05.006", "us-east-1", created)
}

// TestRecordRoundTrips ensures a record of every attribute type encodes to JSON and decodes back to the same value, as Lambda hands it over.
func TestRecordRoundTrips(t *testing.T) {
	s := testStream()
	c := change{keys: json.RawMessage(`{"pk":{"S":"a"},"sk":{"S":"b"}}`), oldImage: json.RawMessage(`{"pk":{"S":"a"},"sk":{"S":"b"}}`),
		newImage: json.RawMessage(everyType), at: time.Unix(1767322800, 0)}
	rec, err := buildRecord(s, sequenceNumber(7), c)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	if err != nil {
		t.Fatal(err)
	}
	var back events.DynamoDBEvent
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Records[0], rec) {
		t.Fatalf("round trip changed the record:\n%+v\n%+v", back.Records[0], rec)
	}
	if rec.EventName != "MODIFY" || rec.Change.SequenceNumber != "100000000000000000007" ||
		rec.Change.NewImage["bin"].Binary()[2] != 0x2a || rec.Change.NewImage["m"].Map()["x"].List()[1].Number() != "2" {
		t.Fatalf("record %+v", rec)
	}
	// The images keep their wire form: re-encoded, the new image is the item.
	var want, got any
	_ = json.Unmarshal([]byte(everyType), &want)
	img, _ := json.Marshal(rec.Change.NewImage)
	_ = json.Unmarshal(img, &got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("new image %s, want %s", img, everyType)
	}
}

// TestRecordHasUpstreamFields ensures an INSERT record has exactly the JSON keys of the sample DynamoDB event shipped in aws-lambda-go.
func TestRecordHasUpstreamFields(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join(fixture.UpstreamDir(t), "dynamodb-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := buildRecord(testStream(), sequenceNumber(1), change{
		keys: json.RawMessage(`{"pk":{"S":"a"}}`), newImage: json.RawMessage(`{"pk":{"S":"a"}}`), at: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	wantTop, wantChange := recordKeys(t, sample)
	gotTop, gotChange := recordKeys(t, ours)
	// userIdentity is only on the deletions TTL makes, which dynalite
	// has not: the sample's first record is one such.
	wantTop = slices.DeleteFunc(wantTop, func(k string) bool { return k == "userIdentity" })
	if !slices.Equal(gotTop, wantTop) || !slices.Equal(gotChange, wantChange) {
		t.Fatalf("record keys %v / dynamodb %v, upstream %v / %v", gotTop, gotChange, wantTop, wantChange)
	}
}

// recordKeys lists the sorted JSON keys of Records[0] and of its dynamodb.
func recordKeys(t *testing.T, event []byte) (top, change []string) {
	t.Helper()
	var ev struct{ Records []map[string]json.RawMessage }
	if err := json.Unmarshal(event, &ev); err != nil || len(ev.Records) == 0 {
		t.Fatalf("event %s: %v", event, err)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(ev.Records[0]["dynamodb"], &inner); err != nil {
		t.Fatal(err)
	}
	for k := range ev.Records[0] {
		top = append(top, k)
	}
	for k := range inner {
		change = append(change, k)
	}
	slices.Sort(top)
	slices.Sort(change)
	return top, change
}

// TestSequenceNumbersSortAsStrings ensures sequence numbers compare as strings in the order they were given, across a change of digit count.
func TestSequenceNumbersSortAsStrings(t *testing.T) {
	for _, n := range []uint64{1, 9, 99, 999999} {
		if a, b := sequenceNumber(n), sequenceNumber(n+1); !(a < b) || len(a) != len(b) {
			t.Fatalf("%s !< %s", a, b)
		}
	}
}
