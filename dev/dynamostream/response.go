package dynamostream

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// succeededBefore reads a partial batch response: the records before the
// lowest sequence number reported failed succeeded. As AWS documents it,
// no answer, null, {} or an empty list is complete success, and an
// itemIdentifier that is missing, empty or not in the batch makes the
// whole batch a failure (0).
func succeededBefore(answer []byte, batch []events.DynamoDBEventRecord) int {
	answer = bytes.TrimSpace(answer)
	if len(answer) == 0 || string(answer) == "null" {
		return len(batch)
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(answer, &resp); err != nil {
		return 0
	}
	lowest := len(batch)
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return 0
		}
		i := indexOfSequence(batch, *f.ItemIdentifier)
		if i < 0 {
			return 0
		}
		lowest = min(lowest, i)
	}
	return lowest
}

func indexOfSequence(batch []events.DynamoDBEventRecord, seq string) int {
	for i, r := range batch {
		if r.Change.SequenceNumber == seq {
			return i
		}
	}
	return -1
}
