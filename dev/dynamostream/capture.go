package dynamostream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// keyOf projects an item onto its table's key, learning the key schema
// from DescribeTable once per table. A table dynalite does not know is
// not captured: forwarded, dynalite answers ResourceNotFoundException.
func (p *Proxy) keyOf(ctx context.Context) func(string, json.RawMessage) (json.RawMessage, error) {
	return func(table string, item json.RawMessage) (json.RawMessage, error) {
		p.mu.Lock()
		names := p.keyNames[table]
		p.mu.Unlock()
		if names == nil {
			ctx, cancel := context.WithTimeout(ctx, p.opts.StepTimeout)
			defer cancel()
			var err error
			names, err = p.up.keySchema(ctx, table)
			var refused *statusError
			if errors.As(err, &refused) && refused.status/100 == 4 {
				return nil, fmt.Errorf("%w: %v", errNotCaptured, err)
			}
			if err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.keyNames[table] = names
			p.mu.Unlock()
		}
		return projectKey(item, names)
	}
}

// capture applies a write to watched tables and records what it changed.
// The tables' locks are held from the old image's read to the record's
// append, so no other write through the proxy lands in between and the
// stream's order is the order of application.
func (p *Proxy) capture(w http.ResponseWriter, r *http.Request, body []byte, all []target) {
	targets := slices.DeleteFunc(slices.Clone(all), func(t target) bool { return !p.watched(t.table) })
	unlock := p.lockTables(targets)
	defer unlock()

	readCtx, cancel := context.WithTimeout(r.Context(), p.opts.StepTimeout)
	olds, err := p.images(readCtx, targets)
	cancel()
	if err != nil {
		writeError(w, err) // nothing forwarded: nothing applied
		return
	}
	// From here the write may be applied whatever the client does, so the
	// steps are bounded by the proxy's own deadline, not the client's.
	applyCtx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), p.opts.StepTimeout)
	resp, answer, fwdErr := p.up.forward(applyCtx, r, body)
	cancel()
	if fwdErr == nil && resp.StatusCode/100 != 2 {
		relay(w, resp, answer) // refused (a failed condition, validation): unchanged
		return
	}
	// A forward that failed on the way may have been applied all the
	// same: the new image says which.
	newCtx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), p.opts.StepTimeout)
	news, err := p.images(newCtx, targets)
	cancel()
	if err != nil {
		p.loseChange(fmt.Errorf("dynamostream: write to %s applied but not recorded: %w", targets[0].table, err))
	} else {
		p.record(targets, olds, news)
	}
	if fwdErr != nil {
		writeError(w, fwdErr)
		return
	}
	relay(w, resp, answer)
}

// record appends a record for every target whose image changed.
func (p *Proxy) record(targets []target, olds, news []json.RawMessage) {
	now := time.Now()
	for i, t := range targets {
		if sameImage(olds[i], news[i]) {
			continue // DynamoDB writes no record for a write that changed nothing
		}
		c := change{keys: t.key, oldImage: olds[i], newImage: news[i], at: now}
		s := p.Stream(t.table)
		err := s.append(func(seq string) (events.DynamoDBEventRecord, error) { return buildRecord(s, seq, c) })
		if err != nil {
			p.loseChange(err)
		}
	}
}

func (p *Proxy) loseChange(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lost = append(p.lost, err)
}

// images reads each target's current image (nil where absent).
func (p *Proxy) images(ctx context.Context, targets []target) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, len(targets))
	for i, t := range targets {
		img, err := p.up.getItem(ctx, t.table, t.key)
		if err != nil {
			return nil, err
		}
		out[i] = img
	}
	return out, nil
}

// lockTables takes the locks of the targets' tables in name order (so two
// batch writes over the same tables cannot deadlock) and returns their
// release.
func (p *Proxy) lockTables(targets []target) (unlock func()) {
	var names []string
	for _, t := range targets {
		names = append(names, t.table)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	p.mu.Lock()
	locks := make([]*sync.Mutex, 0, len(names))
	for _, n := range names {
		l := p.locks[n]
		if l == nil {
			l = new(sync.Mutex)
			p.locks[n] = l
		}
		locks = append(locks, l)
	}
	p.mu.Unlock()
	for _, l := range locks {
		l.Lock()
	}
	return func() {
		for i := len(locks) - 1; i >= 0; i-- {
			locks[i].Unlock()
		}
	}
}

// sameImage compares two images as values: the wire JSON of one item may
// list its attributes in any order.
func sameImage(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
