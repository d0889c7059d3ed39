package dynamostream

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The values every record of this stand-in carries, as DynamoDB writes them.
const (
	eventVersion   = "1.1"
	eventSource    = "aws:dynamodb"
	streamViewType = "NEW_AND_OLD_IMAGES"
)

// change is one item's change as the proxy saw it: wire JSON of the key
// and of the images (nil where the item did not exist).
type change struct {
	keys     json.RawMessage
	oldImage json.RawMessage
	newImage json.RawMessage
	at       time.Time
}

// eventName is INSERT, MODIFY or REMOVE from which images exist.
func (c change) eventName() string {
	switch {
	case c.oldImage == nil:
		return "INSERT"
	case c.newImage == nil:
		return "REMOVE"
	}
	return "MODIFY"
}

// buildRecord composes the record's JSON and decodes it into the
// aws-lambda-go type, so the record is exactly what a Lambda handler
// decodes: the attribute values keep their wire form (S, N, M, L, SS, B, …)
// without a conversion of ours in between.
func buildRecord(s *Stream, seq string, c change) (events.DynamoDBEventRecord, error) {
	stream := map[string]any{
		// Real records carry whole seconds here.
		"ApproximateCreationDateTime": c.at.Unix(),
		"Keys":                        c.keys,
		"SequenceNumber":              seq,
		// DynamoDB counts the item's bytes; the wire JSON's length is
		// near enough for a stand-in, and no handler should depend on it.
		"SizeBytes":      len(c.keys) + len(c.oldImage) + len(c.newImage),
		"StreamViewType": streamViewType,
	}
	if c.newImage != nil {
		stream["NewImage"] = c.newImage
	}
	if c.oldImage != nil {
		stream["OldImage"] = c.oldImage
	}
	raw, err := json.Marshal(map[string]any{
		"eventID":        newEventID(),
		"eventName":      c.eventName(),
		"eventVersion":   eventVersion,
		"eventSource":    eventSource,
		"awsRegion":      s.Region,
		"eventSourceARN": s.ARN,
		"dynamodb":       stream,
	})
	if err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("dynamostream: composing record: %w", err)
	}
	var rec events.DynamoDBEventRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return events.DynamoDBEventRecord{}, fmt.Errorf("dynamostream: decoding record: %w", err)
	}
	return rec, nil
}

// newEventID is 32 random hex digits, the form DynamoDB's event ids take.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
