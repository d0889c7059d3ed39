package dynamostream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fillStream appends n INSERT records with pk "0", "1", … to a new stream.
func fillStream(t *testing.T, n int) *Stream {
	t.Helper()
	s := testStream()
	appendRecords(t, s, 0, n)
	return s
}

func appendRecords(t *testing.T, s *Stream, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		item := json.RawMessage(fmt.Sprintf(`{"pk":{"S":"%d"}}`, i))
		c := change{keys: item, newImage: item, at: time.Now()}
		if err := s.append(func(seq string) (events.DynamoDBEventRecord, error) { return buildRecord(s, seq, c) }); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeFunction records the batches it was invoked with (as the pk of
// each record) and answers with answer.
type fakeFunction struct {
	mu      sync.Mutex
	batches [][]int
	answer  func(call int, pks []int, recs []events.DynamoDBEventRecord) ([]byte, error)
}

func (f *fakeFunction) invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var pks []int
	for _, r := range ev.Records {
		n, _ := strconv.Atoi(r.Change.Keys["pk"].String())
		pks = append(pks, n)
	}
	f.mu.Lock()
	f.batches = append(f.batches, pks)
	call := len(f.batches)
	f.mu.Unlock()
	if f.answer == nil {
		return nil, nil
	}
	return f.answer(call, pks, ev.Records)
}

func (f *fakeFunction) calls() [][]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

// failures is a partial batch response naming the records' sequence numbers.
func failures(recs ...events.DynamoDBEventRecord) []byte {
	var resp events.DynamoDBEventResponse
	for _, r := range recs {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
	}
	raw, _ := json.Marshal(resp)
	return raw
}

var errFunction = errors.New("function failed")

// collected gathers what reached the on-failure destination.
type collected struct {
	mu      sync.Mutex
	records []FailureRecord
	raw     [][]byte
}

func (c *collected) onFailure(_ context.Context, raw []byte) {
	var f FailureRecord
	_ = json.Unmarshal(raw, &f)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, f)
	c.raw = append(c.raw, raw)
}

func drain(t *testing.T, s *Stream, m Mapping, f *fakeFunction) *Poller {
	t.Helper()
	p := NewPoller(s, m, f.invoke)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Checkpoint() != s.Len() {
		t.Fatalf("checkpoint %d after Drain, stream holds %d", p.Checkpoint(), s.Len())
	}
	return p
}

func assertCalls(t *testing.T, f *fakeFunction, want [][]int) {
	t.Helper()
	if got := f.calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("invocations %v, want %v", got, want)
	}
}

// TestPollerDeliversInOrderInBatches ensures records go out in stream order in batches of BatchSize, and Drain returns once the stream is empty.
func TestPollerDeliversInOrderInBatches(t *testing.T) {
	f := &fakeFunction{}
	drain(t, fillStream(t, 7), Mapping{BatchSize: 3}, f)
	assertCalls(t, f, [][]int{{0, 1, 2}, {3, 4, 5}, {6}})
}

// TestPollerRetriesFromLowestReportedFailure ensures a partial batch response moves the stream to the lowest failed sequence number and retries from there.
func TestPollerRetriesFromLowestReportedFailure(t *testing.T) {
	f := &fakeFunction{answer: func(call int, _ []int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		if call == 1 {
			return failures(recs[3], recs[2]), nil // unordered, as a handler may list them
		}
		return []byte(`{"batchItemFailures":[]}`), nil
	}}
	drain(t, fillStream(t, 5), Mapping{BatchSize: 5, ReportBatchItemFailures: true, MaximumRetryAttempts: -1}, f)
	assertCalls(t, f, [][]int{{0, 1, 2, 3, 4}, {2, 3, 4}})
}

// TestPollerIgnoresResponseUnlessReporting ensures a partial batch response is read only when ReportBatchItemFailures is on, as Lambda does.
func TestPollerIgnoresResponseUnlessReporting(t *testing.T) {
	f := &fakeFunction{answer: func(_ int, _ []int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		return failures(recs[0]), nil
	}}
	drain(t, fillStream(t, 2), Mapping{BatchSize: 2}, f)
	assertCalls(t, f, [][]int{{0, 1}})
}

// TestPollerTreatsBadIdentifierAsWholeFailure ensures an empty or unknown itemIdentifier fails the whole batch, which is retried as it was.
func TestPollerTreatsBadIdentifierAsWholeFailure(t *testing.T) {
	for _, bad := range []string{`{"batchItemFailures":[{"itemIdentifier":""}]}`, `{"batchItemFailures":[{"itemIdentifier":"42"}]}`, `{"batchItemFailures":[{"id":"x"}]}`} {
		f := &fakeFunction{answer: func(call int, _ []int, _ []events.DynamoDBEventRecord) ([]byte, error) {
			if call == 1 {
				return []byte(bad), nil
			}
			return nil, nil
		}}
		drain(t, fillStream(t, 3), Mapping{BatchSize: 3, ReportBatchItemFailures: true, MaximumRetryAttempts: 1}, f)
		assertCalls(t, f, [][]int{{0, 1, 2}, {0, 1, 2}})
	}
}

// TestPollerBisectsAroundPoisonRecord ensures a function error splits the batch in halves, the good half is delivered, and the poison record alone exhausts its retries and goes to OnFailure.
func TestPollerBisectsAroundPoisonRecord(t *testing.T) {
	f := &fakeFunction{answer: func(_ int, pks []int, _ []events.DynamoDBEventRecord) ([]byte, error) {
		if slices.Contains(pks, 2) {
			return nil, errFunction
		}
		return nil, nil
	}}
	var dest collected
	s := fillStream(t, 4)
	drain(t, s, Mapping{BatchSize: 4, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, OnFailure: dest.onFailure}, f)
	// Splitting uses no retry: [2] is invoked once and retried once.
	assertCalls(t, f, [][]int{{0, 1, 2, 3}, {0, 1}, {2, 3}, {2}, {2}, {3}})
	recs := s.Records()
	if len(dest.records) != 1 {
		t.Fatalf("%d failure records, want 1", len(dest.records))
	}
	info := dest.records[0].DDBStreamBatchInfo
	if info.StartSequenceNumber != recs[2].Change.SequenceNumber || info.EndSequenceNumber != recs[2].Change.SequenceNumber || info.BatchSize != 1 {
		t.Fatalf("failure record %+v", dest.records[0])
	}
}

// TestPollerSendsExhaustedBatchToOnFailure ensures a batch failing past MaximumRetryAttempts reaches OnFailure in AWS's failure record shape and the stream moves on.
func TestPollerSendsExhaustedBatchToOnFailure(t *testing.T) {
	f := &fakeFunction{answer: func(_ int, pks []int, _ []events.DynamoDBEventRecord) ([]byte, error) {
		if pks[0] == 0 {
			return nil, errFunction
		}
		return nil, nil
	}}
	var dest collected
	s := fillStream(t, 4)
	drain(t, s, Mapping{BatchSize: 2, MaximumRetryAttempts: 2, OnFailure: dest.onFailure}, f)
	assertCalls(t, f, [][]int{{0, 1}, {0, 1}, {0, 1}, {2, 3}})
	if len(dest.records) != 1 {
		t.Fatalf("%d failure records, want 1", len(dest.records))
	}
	recs, got := s.Records(), dest.records[0]
	want := BatchInfo{ShardID: s.ShardID, StartSequenceNumber: recs[0].Change.SequenceNumber, EndSequenceNumber: recs[1].Change.SequenceNumber,
		ApproximateArrivalOfFirstRecord: got.DDBStreamBatchInfo.ApproximateArrivalOfFirstRecord,
		ApproximateArrivalOfLastRecord:  got.DDBStreamBatchInfo.ApproximateArrivalOfLastRecord, BatchSize: 2, StreamARN: s.ARN}
	if got.DDBStreamBatchInfo != want || got.RequestContext.Condition != "RetryAttemptsExhausted" ||
		got.RequestContext.ApproximateInvokeCount != 3 || got.ResponseContext.FunctionError != "Unhandled" ||
		got.ResponseContext.StatusCode != 200 || got.Version != "1.0" || len(got.RequestContext.RequestID) != 36 {
		t.Fatalf("failure record %+v", got)
	}
	if _, err := time.Parse(time.RFC3339, got.DDBStreamBatchInfo.ApproximateArrivalOfFirstRecord); err != nil {
		t.Fatal(err)
	}
	assertFailureRecordKeys(t, dest.raw[0])
}

// assertFailureRecordKeys checks the JSON keys AWS documents for a stream
// source's on-failure invocation record.
func assertFailureRecordKeys(t *testing.T, raw []byte) {
	t.Helper()
	want := map[string][]string{
		"":                   {"DDBStreamBatchInfo", "requestContext", "responseContext", "timestamp", "version"},
		"requestContext":     {"approximateInvokeCount", "condition", "functionArn", "requestId"},
		"responseContext":    {"executedVersion", "functionError", "statusCode"},
		"DDBStreamBatchInfo": {"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "endSequenceNumber", "shardId", "startSequenceNumber", "streamArn"},
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top)
	for part, keys := range want {
		obj := top
		if part != "" {
			obj = nil
			_ = json.Unmarshal(top[part], &obj)
		}
		var got []string
		for k := range obj {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, keys) {
			t.Errorf("failure record %q keys %v, want %v", part, got, keys)
		}
	}
}

// TestPollerDiscardsRemainderOfPartialFailure ensures that when a partially failed batch runs out of retries, only the records from the lowest failure on are discarded, with no functionError.
func TestPollerDiscardsRemainderOfPartialFailure(t *testing.T) {
	f := &fakeFunction{answer: func(_ int, pks []int, recs []events.DynamoDBEventRecord) ([]byte, error) {
		if i := slices.Index(pks, 1); i >= 0 {
			return failures(recs[i]), nil
		}
		return nil, nil
	}}
	var dest collected
	s := fillStream(t, 3)
	drain(t, s, Mapping{BatchSize: 3, ReportBatchItemFailures: true, MaximumRetryAttempts: 0, OnFailure: dest.onFailure}, f)
	assertCalls(t, f, [][]int{{0, 1, 2}})
	recs := s.Records()
	if len(dest.records) != 1 || dest.records[0].DDBStreamBatchInfo.StartSequenceNumber != recs[1].Change.SequenceNumber ||
		dest.records[0].DDBStreamBatchInfo.BatchSize != 2 || dest.records[0].ResponseContext.FunctionError != "" {
		t.Fatalf("failure records %+v", dest.records)
	}
}

// TestPollerRunWaitsForBatchingWindow ensures Run delivers records as they arrive, gathering them for MaximumBatchingWindow, and stops with its context.
func TestPollerRunWaitsForBatchingWindow(t *testing.T) {
	s := testStream()
	f := &fakeFunction{}
	p := NewPoller(s, Mapping{BatchSize: 10, MaximumBatchingWindow: 300 * time.Millisecond}, f.invoke)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	appendRecords(t, s, 0, 1)
	time.Sleep(50 * time.Millisecond)
	appendRecords(t, s, 1, 2) // within the window: same batch
	deadline := time.Now().Add(5 * time.Second)
	for p.Checkpoint() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	assertCalls(t, f, [][]int{{0, 1, 2}})
}
