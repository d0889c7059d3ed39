package lambdahandler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// sqsPayloads are events of every shape json.Unmarshal into
// events.SQSEvent has an answer for: real samples, keys in any case and
// order, escapes, nulls, repeated keys, and events it refuses.
func sqsPayloads(t *testing.T) map[string]string {
	t.Helper()
	read := func(path string) string {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	typical := fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "안녕"),
		`{"message":"a \"quoted\" \\ back\\slash\\","x":"]}"}`, "", `\`, `"`, "줄\n바꿈\t\u2028", "}]")
	var pretty map[string]any
	if err := json.Unmarshal(typical, &pretty); err != nil {
		t.Fatal(err)
	}
	indented, _ := json.MarshalIndent(pretty, "", "\t")
	return map[string]string{
		"upstream sample": read(filepath.Join(fixture.UpstreamDir(t), "sqs-event.json")),
		"README batch":    read(filepath.Join(fixture.ModuleRoot(t), "events", "sqs-batch.json")),
		"README redrive":  read(filepath.Join(fixture.ModuleRoot(t), "events", "sqs-redrive.json")),
		"typical":         string(typical),
		"indented":        string(indented),
		"keys in any case and order": `{"extra":{"Records":[1]},"records":[{"Body":"b","MESSAGEID":"m","eventsource":"aws:sqs"}],` +
			`"z":[1,2.5e3,true,null,{"a":"]"}]}`,
		"escaped key":          `{"\u0052ecords":[{"body":"x","messageId":"1"}]}`,
		"folded key":           `{"Recordſ":[{"body":"x"}]}`,
		"escaped key in value": `{"Records":[{"b\u006fdy":"x\"y","\\body":"z"}]}`,
		"null records":         `{"Records":[null,{"body":null},{"body":"a","Body":"b"},{"body":"a","Body":null},{"body":""}]}`,
		"attributes": `{"Records":[{"body":"x","attributes":{"SentTimestamp":"1"},` +
			`"messageAttributes":{"k":{"binaryValue":"YQ==","stringListValues":[],"dataType":"Binary"}}}]}`,
		"Records twice":         `{"Records":[{"body":"a","messageId":"1"},{"body":"c"}],"records":[{"messageId":"2"}]}`,
		"Records twice, folded": `{"Records":[{"body":"a"}],"RECORDS":[{"body":"b"},{"messageId":"3"}]}`,
		"Records then null":     `{"Records":[{"body":"a"}],"Records":null}`,
		"Records null":          `{"Records":null}`,
		"no Records":            `{"Record":[{"body":"a"}]}`,
		"empty":                 `{"Records":[]}`,
		"top-level null":        `null`,
		"not a list":            `{"Records": "not a list"}`,
		"record not an object":  `{"Records":[5]}`,
		"body a number":         `{"Records":[{"body":5}]}`,
		"body an object":        `{"Records":[{"body":{}},{"body":"ok"}]}`,
		"last body wrong":       `{"Records":[{"body":"ok"},{"body":[]}]}`,
		"bad base64 attribute":  `{"Records":[{"body":"x","messageAttributes":{"k":{"binaryValue":"!!"}}}]}`,
		"messageId a number":    `{"Records":[{"body":"x","messageId":1}]}`,
		"array":                 `[]`,
		"truncated":             `{"Records":[{"body":"x"}`,
		"empty payload":         ``,
		"trailing":              `{"Records":[]} {}`,
		"deep unknown key":      `{"x":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `,"Records":[{"body":"y"}]}`,
		"scalars around Record": `{"a":1,"Records":[{"body":"y","messageId":"-1"}],"b":-0.5,"c":false}`,
	}
}

// decodedRecords are the records of a batch with each body decoded, as the
// handler sees them one after another.
func decodedRecords(b *sqsBatch) []events.SQSMessage {
	out := make([]events.SQSMessage, len(b.records))
	for i := range b.records {
		out[i] = b.records[i]
		out[i].Body = string(b.body(i))
	}
	return out
}

// TestSQSBatchDecodesAsUnmarshal ensures decoding record by record accepts
// and refuses exactly the events json.Unmarshal into events.SQSEvent does,
// and yields the same records with the same bodies.
func TestSQSBatchDecodesAsUnmarshal(t *testing.T) {
	for name, payload := range sqsPayloads(t) {
		t.Run(name, func(t *testing.T) {
			var want events.SQSEvent
			wantErr := json.Unmarshal([]byte(payload), &want)
			b, err := decodeSQSBatch([]byte(payload))
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("decodeSQSBatch error %v, json.Unmarshal error %v", err, wantErr)
			}
			if err != nil {
				return
			}
			// Only an event with two Records keys is decoded whole.
			if whole := strings.HasPrefix(name, "Records twice"); len(b.records) > 0 && (b.spans == nil) != whole {
				t.Fatalf("decoded whole: %v, want %v", b.spans == nil, whole)
			}
			got := decodedRecords(b)
			if len(got) != len(want.Records) || len(got) > 0 && !reflect.DeepEqual(got, want.Records) {
				t.Fatalf("records\n got %+v\nwant %+v", got, want.Records)
			}
		})
	}
}

// TestSQSBatchKeepsNoBody ensures a decoded batch holds no record's body:
// each is decoded from the payload only when its record is sent.
func TestSQSBatchKeepsNoBody(t *testing.T) {
	payload := fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "one"),
		fixture.SendRequest(fixture.User, "b@example.com", "two"))
	b, err := decodeSQSBatch(payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.records) != 2 || b.spans == nil {
		t.Fatalf("batch %+v", b)
	}
	for _, r := range b.records {
		if r.Body != "" || r.MessageId == "" {
			t.Fatalf("record %+v", r)
		}
	}
	if got := string(b.body(1)); got != fixture.SendRequest(fixture.User, "b@example.com", "two") {
		t.Fatalf("body 1 = %q", got)
	}
}

// TestSQSRecordKeysInAnyCaseAndOrder ensures a batch whose keys differ in
// case and order from AWS's is sent as encoding/json reads it, reporting
// the failed record by its id.
func TestSQSRecordKeysInAnyCaseAndOrder(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	good, _ := json.Marshal(fixture.SendRequest(fixture.User, "a@example.com", "one"))
	bad, _ := json.Marshal(badRequest())
	payload := `{"unknown":[{"body":"x"}],"records":[{"eventSource":"aws:sqs","Body":` + string(good) + `,"MessageId":"m-1"},` +
		`{"messageid":"m-2","BODY":` + string(bad) + `}]}`
	out, err := sh.h.handleSQS(context.Background(), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedItems(t, out); len(ids) != 1 || ids[0] != "m-2" {
		t.Fatalf("batchItemFailures %v, want [m-2]", ids)
	}
	if msgs := sh.srv.Messages(); len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
}

// benchmarkBatch is the benchmark's batch: ten records, each a request with
// 10 KB of HTML, a 100 KB attachment and a Hangul subject (about 140 KB).
func benchmarkBatch(b *testing.B) []byte {
	b.Helper()
	html := strings.Repeat("<p>주문하신 상품이 발송되었습니다. Your order has shipped.</p>\n", 170)
	req, err := json.Marshal(map[string]any{
		"user": fixture.User, "password": fixture.Password, "fromUsername": "주문 알림",
		"toEmail": "kim@example.com", "subject": "[주문 #1024] 배송이 시작되었습니다", "message": html,
		"attachments": []map[string]string{{"filename": "invoice.pdf", "content": base64.StdEncoding.EncodeToString(make([]byte, 100<<10))}},
	})
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]string, 10)
	for i := range bodies {
		bodies[i] = string(req)
	}
	return fixture.SQSEvent(b, bodies...)
}

// BenchmarkSQSBatchDecode measures decoding a batch and taking each body
// in turn, as handleSQS does, against decoding the event whole (the way
// before record-by-record decoding). live-B is the heap a batch keeps
// alive while its first record is sent.
func BenchmarkSQSBatchDecode(b *testing.B) {
	payload := benchmarkBatch(b)
	ways := []struct {
		name   string
		decode func([]byte) func(i int) []byte
	}{
		{"record-by-record", func(p []byte) func(int) []byte {
			batch, err := decodeSQSBatch(p)
			if err != nil || len(batch.records) != 10 {
				b.Fatal(err)
			}
			return batch.body
		}},
		{"whole-event", func(p []byte) func(int) []byte {
			var ev events.SQSEvent
			if err := json.Unmarshal(p, &ev); err != nil || len(ev.Records) != 10 {
				b.Fatal(err)
			}
			return func(i int) []byte {
				body := []byte(ev.Records[i].Body)
				ev.Records[i].Body = ""
				return body
			}
		}},
	}
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				next := w.decode(payload)
				for i := range 10 {
					if body := next(i); len(body) < 100<<10 {
						b.Fatalf("body %d is %d bytes", i, len(body))
					}
				}
			}
			b.ReportMetric(float64(liveWhileFirstSent(w.decode, payload)), "live-B")
		})
	}
}

// liveWhileFirstSent is the heap that decoding payload and taking the first
// body leaves reachable.
func liveWhileFirstSent(decode func([]byte) func(int) []byte, payload []byte) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	next := decode(payload)
	body := next(0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(next)
	runtime.KeepAlive(body)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// TestSQSMessageDecodesByFields guards sqsRecordHead: its Body field hides
// the embedded events.SQSMessage's only while encoding/json decodes field by
// field; if SQSMessage ever decoded itself (json.Unmarshaler), the head
// would keep every body again.
func TestSQSMessageDecodesByFields(t *testing.T) {
	if _, ok := any(&events.SQSMessage{}).(json.Unmarshaler); ok {
		t.Fatal("events.SQSMessage implements json.Unmarshaler: sqsRecordHead no longer skips bodies")
	}
}
