package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gmailsend/gmailsend"
)

// BatchItem is the outcome of one message of a batch, in request order:
// its record when accepted, or its error.
type BatchItem struct {
	Index    int
	Accepted *Accepted
	Err      *gmailsend.Error
}

// BatchResult is the answer to POST /messages/batch. With Strict and any
// item failing its checks, nothing was queued: Items holds only the
// failing ones.
type BatchResult struct {
	Strict   bool
	Refused  bool // strict and some item invalid: nothing was written
	Items    []BatchItem
	Accepted int
	Rejected int
}

// batchRequest is the body of POST /messages/batch.
type batchRequest struct {
	Messages       []json.RawMessage `json:"messages"`
	Validation     string            `json:"validation"`
	IdempotencyKey string            `json:"idempotencyKey"`
	// Template and Defaults make a per-recipient batch (batch_template.go).
	Template string          `json:"template"`
	Defaults json.RawMessage `json:"defaults"`
}

// AcceptBatch is POST /messages/batch: every item is checked like POST
// /messages. Strict (the default): any failing item queues nothing and
// every failing item is reported. Permissive: the valid items are
// queued, the rest reported. One idempotency key covers the batch.
func (s *Sender) AcceptBatch(ctx context.Context, body []byte, o Origin) (*BatchResult, error) {
	if err := s.queueingReady(); err != nil {
		return nil, err
	}
	b, err := decodeBatch(body, s.Queueing.MaxBatch)
	if err != nil {
		return nil, err
	}
	key, field := o.key(b.IdempotencyKey)
	if field != "" {
		if err := gmailsend.CheckKey(key, field); err != nil {
			return nil, err
		}
	}
	items, err := personalise(b) // batch_template.go
	if err != nil {
		return nil, err
	}
	perItemKeys := b.Template != ""
	res := &BatchResult{Strict: b.Validation != "permissive"}
	ps := make([]*prepared, len(items))
	errs := make([]error, len(items))
	// Checks are independent (the credential cache fetches a secret once
	// for all of them, the memo a template), so they run side by side.
	tctx := withTemplateMemo(ctx)
	parallel(len(items), func(i int) {
		ps[i], errs[i] = s.checkQueued(tctx, items[i], o, fmt.Sprintf("messages[%d].", i), perItemKeys)
		if errs[i] == nil && ps[i].req.IdempotencyKey != "" {
			errs[i] = gmailsend.CheckKey(ps[i].req.IdempotencyKey, fmt.Sprintf("messages[%d].idempotencyKey", i))
		}
	})
	for i, err := range s.checkSendable(ctx, ps) {
		if err != nil && errs[i] == nil {
			errs[i] = prefixed(err, fmt.Sprintf("messages[%d].", i))
		}
	}
	// An item of a keyed retry that fails a check its first attempt
	// passed (accept.go, acceptedBefore) is answered by its record.
	recovered := make([]*Accepted, len(items))
	parallel(len(items), func(i int) {
		if errs[i] != nil {
			var rerr error
			recovered[i], rerr = s.acceptedBefore(ctx, items[i], o, errs[i], func(r *gmailsend.Request) string {
				switch {
				case r.IdempotencyKey != "":
					return r.IdempotencyKey
				case key != "":
					return batchItemKey(key, i)
				}
				return ""
			})
			if rerr != nil {
				errs[i] = prefixed(rerr, fmt.Sprintf("messages[%d].", i))
			}
		}
	})
	var valid []*prepared
	var index []int
	for i, err := range errs {
		if recovered[i] != nil {
			res.Items = append(res.Items, BatchItem{Index: i, Accepted: recovered[i]})
			res.Accepted++
			continue
		}
		if err != nil {
			res.Items = append(res.Items, BatchItem{Index: i, Err: gmailsend.AsError(err)})
			res.Rejected++
			continue
		}
		switch {
		case ps[i].req.IdempotencyKey != "":
			// The item's own key: the same record as that key on POST /messages.
			ps[i].withID(gmailsend.KeyedID(o.Caller, ps[i].req.IdempotencyKey))
			s.keyed(ps[i].rec)
		case key != "":
			ps[i].withID(gmailsend.KeyedID(o.Caller, batchItemKey(key, i)))
			s.keyed(ps[i].rec)
		}
		valid, index = append(valid, ps[i]), append(index, i)
	}
	if res.Strict && res.Rejected > 0 {
		res.Refused = true
		return res, nil
	}
	for j, oc := range s.acceptAll(ctx, valid, o) {
		item := BatchItem{Index: index[j], Accepted: oc.accepted}
		if oc.err != nil {
			item.Err = gmailsend.AsError(oc.err)
			res.Rejected++
		} else {
			res.Accepted++
		}
		res.Items = append(res.Items, item)
	}
	slices.SortFunc(res.Items, func(a, b BatchItem) int { return a.Index - b.Index })
	return res, nil
}

// decodeBatch reads the batch strictly: only its three keys, each once and
// spelt exactly (as a request's fields are), 1 to max messages, validation
// strict or permissive.
func decodeBatch(body []byte, max int) (*batchRequest, error) {
	if err := gmailsend.CheckKeys(body, "messages", "validation", "idempotencyKey", "template", "defaults"); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b batchRequest
	if err := dec.Decode(&b); err != nil {
		return nil, gmailsend.Invalid("", "the body must be {\"messages\": [ … ], \"validation\"?: \"strict\"|\"permissive\", \"idempotencyKey\"?: …, \"template\"?: …, \"defaults\"?: {…}}: %s", cleanDecodeError(err))
	}
	if dec.More() {
		return nil, gmailsend.Invalid("", "the body must hold one JSON object")
	}
	if len(b.Messages) == 0 {
		return nil, gmailsend.Invalid("messages", "must hold at least one message")
	}
	if max > 0 && len(b.Messages) > max {
		return nil, gmailsend.Invalid("messages", "holds %d messages; a batch may hold at most %d", len(b.Messages), max)
	}
	switch b.Validation {
	case "", "strict", "permissive":
	default:
		return nil, gmailsend.Invalid("validation", "must be \"strict\" or \"permissive\"")
	}
	return &b, nil
}

func cleanDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	return err.Error()
}
