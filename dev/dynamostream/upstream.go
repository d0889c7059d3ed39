package dynamostream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gmailsend/gmailsend/dev/faultproxy"
)

// apiVersion is the X-Amz-Target prefix of the DynamoDB JSON 1.0 protocol.
const apiVersion = "DynamoDB_20120810"

// upstream is the proxy's own client of dynalite, for the reads around a
// write and for forwarding.
type upstream struct {
	url    string
	client *http.Client
}

// statusError is an answer of dynalite's that was not a success: the
// request reached it and it refused, as opposed to a network failure.
type statusError struct {
	op     string
	status int
	body   []byte
}

func (e *statusError) Error() string {
	return fmt.Sprintf("dynamostream: %s answered %d: %s", e.op, e.status, bytes.TrimSpace(e.body))
}

// call sends one request of the proxy's own and decodes the answer into out.
//
// dynalite checks that a request carries an Authorization header of the
// SigV4 shape and an X-Amz-Date, never the signature itself, so these
// requests carry a placeholder of that shape instead of being signed: the
// proxy holds no credentials. The clients' own requests are forwarded with
// their real signatures untouched.
func (u *upstream) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("dynamostream: %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.url+"/", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("dynamostream: %s: %w", op, err)
	}
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", apiVersion+"."+op)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=dynamostream/"+now.Format("20060102")+
		"/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=unsigned")
	resp, err := u.client.Do(req)
	if err != nil {
		return fmt.Errorf("dynamostream: %s: %w", op, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("dynamostream: %s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{op: op, status: resp.StatusCode, body: answer}
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("dynamostream: %s answer: %w", op, err)
	}
	return nil
}

// getItem reads an item with a consistent read: its wire JSON, or nil
// when there is no such item.
func (u *upstream) getItem(ctx context.Context, table string, key json.RawMessage) (json.RawMessage, error) {
	var out struct{ Item json.RawMessage }
	in := map[string]any{"TableName": table, "Key": key, "ConsistentRead": true}
	if err := u.call(ctx, "GetItem", in, &out); err != nil {
		return nil, err
	}
	if len(out.Item) == 0 || string(out.Item) == "null" {
		return nil, nil
	}
	return out.Item, nil
}

// keySchema names the table's key attributes (partition key first).
func (u *upstream) keySchema(ctx context.Context, table string) ([]string, error) {
	var out struct {
		Table struct {
			KeySchema []struct{ AttributeName, KeyType string }
		}
	}
	if err := u.call(ctx, "DescribeTable", map[string]any{"TableName": table}, &out); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(out.Table.KeySchema))
	for _, k := range out.Table.KeySchema {
		names = append(names, k.AttributeName)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("dynamostream: DescribeTable %s: no key schema", table)
	}
	return names, nil
}

// forward sends the request on unchanged (its bytes, headers and Host,
// which the client's signature covers) and reads the whole answer.
func (u *upstream) forward(ctx context.Context, r *http.Request, body []byte) (*http.Response, []byte, error) {
	return faultproxy.Forward(ctx, u.client, u.url, r, body, true)
}
