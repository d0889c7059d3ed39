package dynamostream

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// FailureRecord is what Lambda sends an event source mapping's on-failure
// destination for a batch it discarded: metadata only, the records stay in
// the stream (a consumer reads them back by sequence number, as it would
// with GetShardIterator).
type FailureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		// FunctionError is "Unhandled" when the function failed, empty
		// when it answered with failed items.
		FunctionError string `json:"functionError,omitempty"`
	} `json:"responseContext"`
	Version            string    `json:"version"`
	Timestamp          string    `json:"timestamp"`
	DDBStreamBatchInfo BatchInfo `json:"DDBStreamBatchInfo"`
}

// BatchInfo locates a discarded batch in its stream.
type BatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// ConditionRetriesExhausted is the failure record's condition when
// MaximumRetryAttempts ran out (the only one this stand-in produces).
const ConditionRetriesExhausted = "RetryAttemptsExhausted"

func newFailureRecord(s *Stream, functionARN string, batch []events.DynamoDBEventRecord, invokes int, functionErr bool) []byte {
	var f FailureRecord
	f.RequestContext.RequestID = uuidLike()
	f.RequestContext.FunctionARN = functionARN
	f.RequestContext.Condition = ConditionRetriesExhausted
	f.RequestContext.ApproximateInvokeCount = invokes
	f.ResponseContext.StatusCode = 200
	f.ResponseContext.ExecutedVersion = "$LATEST"
	if functionErr {
		f.ResponseContext.FunctionError = "Unhandled"
	}
	f.Version = "1.0"
	f.Timestamp = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	first, last := batch[0], batch[len(batch)-1]
	f.DDBStreamBatchInfo = BatchInfo{
		ShardID:                         s.ShardID,
		StartSequenceNumber:             first.Change.SequenceNumber,
		EndSequenceNumber:               last.Change.SequenceNumber,
		ApproximateArrivalOfFirstRecord: first.Change.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		ApproximateArrivalOfLastRecord:  last.Change.ApproximateCreationDateTime.UTC().Format(time.RFC3339),
		BatchSize:                       len(batch),
		StreamARN:                       s.ARN,
	}
	raw, _ := json.Marshal(f) // plain strings and ints: cannot fail
	return raw
}

// uuidLike is a random version 4 UUID, the form of Lambda's request ids.
func uuidLike() string {
	id := newEventID() // 32 random hex digits
	return fmt.Sprintf("%s-%s-4%s-a%s-%s", id[0:8], id[8:12], id[13:16], id[17:20], id[20:32])
}
