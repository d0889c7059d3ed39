package dynamostream

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Stream is one table's stream: a single shard, append only, kept in
// memory for the proxy's lifetime.
type Stream struct {
	// ARN is the stream's ARN: the table's ARN, /stream/, and a label
	// (the proxy's start time), as DynamoDB names a stream.
	ARN string
	// ShardID names the stream's only shard, for failure records.
	ShardID string
	// Region is the stream's region (records' awsRegion).
	Region string

	mu      sync.Mutex
	records []events.DynamoDBEventRecord
	lastSeq uint64
	grew    chan struct{} // closed and replaced at every append
}

func newStream(arn, region string, created time.Time) *Stream {
	return &Stream{
		ARN:     arn,
		Region:  region,
		ShardID: fmt.Sprintf("shardId-%020d-%08x", created.UnixMilli(), uint32(created.UnixNano())),
		grew:    make(chan struct{}),
	}
}

// Records is a copy of every record so far, in stream order.
func (s *Stream) Records() []events.DynamoDBEventRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]events.DynamoDBEventRecord(nil), s.records...)
}

// Len is the number of records so far.
func (s *Stream) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// read returns up to max records from position from on.
func (s *Stream) read(from, max int) []events.DynamoDBEventRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	if from >= len(s.records) {
		return nil
	}
	end := min(from+max, len(s.records))
	return append([]events.DynamoDBEventRecord(nil), s.records[from:end]...)
}

// waitBeyond blocks until the stream holds more than n records or ctx ends.
func (s *Stream) waitBeyond(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		if len(s.records) > n {
			s.mu.Unlock()
			return nil
		}
		grew := s.grew
		s.mu.Unlock()
		select {
		case <-grew:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// append builds the next record with the next sequence number and adds it.
// Building under the lock is what keeps sequence numbers in stream order.
func (s *Stream) append(build func(seq string) (events.DynamoDBEventRecord, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := build(sequenceNumber(s.lastSeq + 1))
	if err != nil {
		return err
	}
	s.lastSeq++
	s.records = append(s.records, rec)
	close(s.grew)
	s.grew = make(chan struct{})
	return nil
}

// sequenceNumber formats n as DynamoDB does: a decimal string of fixed
// width, so that comparing two as strings compares them as numbers.
func sequenceNumber(n uint64) string { return fmt.Sprintf("1%020d", n) }
