package app

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

// LambdaHandler is what main gives aws-lambda-go: the handler as a
// lambda.Handler, which takes the invocation payload as the bytes the
// runtime client read. Given a func taking json.RawMessage instead,
// aws-lambda-go would decode the payload into it first, through a
// json.Decoder: a buffer the size of the payload and then a copy of it,
// over 3 MB for a 1.4 MB SQS batch, on every invocation.
//
// The payload is the runtime client's pooled buffer, reused for the next
// invocation, so the handler must not keep it past its return; nothing in
// it does. Event detection and an SQS batch read spans of it in place
// during the invocation; whatever outlives a record (its body, ids) is
// decoded into values of its own.
func (a *App) LambdaHandler() lambda.Handler { return rawEntry{a} }

type rawEntry struct{ a *App }

// Invoke answers like aws-lambda-go's own reflection handler: a function
// error passes through as it is, the answer is JSON without HTML escaping
// (a Message-ID's angle brackets stay as they are) and without the
// encoder's trailing newline.
func (e rawEntry) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	e.a.settleProcs() // procs.go
	out, err := e.a.Handler.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
