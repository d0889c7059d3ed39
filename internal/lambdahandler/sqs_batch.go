package lambdahandler

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// sqsBatch is an SQS event decoded for sending one record at a time. A
// batch of ten holds up to ten bodies of the queue's MaximumMessageSize
// (256 KiB for the template's queue, up to 1 MiB for another), the event
// within Lambda's 6 MB invocation payload (limits.go), and a decoded
// events.SQSEvent kept them all alive until the last send; here only the
// body being sent is decoded, from its record's JSON in the payload the
// runtime holds anyway. Every record is still checked before the first
// send, so an event encoding/json would refuse is refused whole, as before.
type sqsBatch struct {
	records []events.SQSMessage // every record without its Body
	spans   [][]byte            // each record's JSON in the payload; nil for whole
}

// sqsRecordHead decodes a record as events.SQSMessage does, but its body
// into sqsBodyCheck: the outer field hides the embedded one.
type sqsRecordHead struct {
	events.SQSMessage
	Body sqsBodyCheck `json:"body"`
}

// sqsBodyCheck accepts what decoding into a string accepts (a string or
// null) and keeps nothing.
type sqsBodyCheck struct{}

func (*sqsBodyCheck) UnmarshalJSON(b []byte) error {
	if b[0] == '"' || string(b) == "null" {
		return nil
	}
	return errors.New("lambdahandler: an SQS record's body is not a string")
}

// decodeSQSBatch checks payload as json.Unmarshal into events.SQSEvent
// would, the same keys in any case and order, and finds each record's JSON.
func decodeSQSBatch(payload []byte) (*sqsBatch, error) {
	var heads struct {
		Records []sqsRecordHead `json:"Records"`
	}
	if err := json.Unmarshal(payload, &heads); err != nil {
		return nil, err
	}
	b := &sqsBatch{records: make([]events.SQSMessage, len(heads.Records))}
	for i, r := range heads.Records {
		b.records[i] = r.SQSMessage
	}
	if len(b.records) == 0 {
		return b, nil
	}
	spans, ok := recordSpans(payload)
	if ok && len(spans) == len(b.records) {
		b.spans = spans
		return b, nil
	}
	// Two keys encoding/json takes for Records (it folds case and merges
	// them): decode as it does, bodies and all. No real event does this.
	var whole events.SQSEvent
	if err := json.Unmarshal(payload, &whole); err != nil {
		return nil, err
	}
	b.records = whole.Records
	return b, nil
}

// body returns record i's body, decoded now; call it once per record.
func (b *sqsBatch) body(i int) []byte {
	if b.spans == nil {
		body := []byte(b.records[i].Body)
		b.records[i].Body = "" // garbage from here on, not kept by the batch
		return body
	}
	var r struct {
		Body sqsBodyText `json:"body"`
	}
	_ = json.Unmarshal(b.spans[i], &r) // decodeSQSBatch decoded this record already
	return r.Body.b
}

// sqsBodyText decodes a JSON string straight into the bytes the sender
// reads, without a string between them. It is a struct, not a []byte, so
// null leaves it as null leaves a string: unchanged.
type sqsBodyText struct{ b []byte }

func (t *sqsBodyText) UnmarshalText(text []byte) error {
	t.b = bytes.Clone(text) // text is encoding/json's to reuse
	return nil
}

// recordSpans returns the JSON of each element of payload's Records array,
// in order. payload must be valid JSON. ok is false unless the top level
// is an object with exactly one key that encoding/json takes for Records
// (it matches keys ignoring case) and that key holds an array.
func recordSpans(payload []byte) (spans [][]byte, ok bool) {
	c := jsonscan.Scanner{B: payload}
	if c.Peek() != '{' {
		return nil, false
	}
	c.Next() // {
	found, array := 0, false
	for c.Peek() != '}' {
		records := isRecordsKey(c.Str())
		c.Next() // :
		if records {
			found++
			array = c.Peek() == '['
		}
		if !records || !array {
			c.Skip()
			c.SkipComma()
			continue
		}
		c.Next() // [
		for c.Peek() != ']' {
			start := c.I
			c.Skip()
			spans = append(spans, payload[start:c.I])
			c.SkipComma()
		}
		c.Next() // ]
		c.SkipComma()
	}
	return spans, found == 1 && array
}

// isRecordsKey reports whether encoding/json decodes the quoted key into
// SQSEvent.Records.
func isRecordsKey(quoted []byte) bool {
	return strings.EqualFold(jsonscan.Unquote(quoted), "Records")
}
