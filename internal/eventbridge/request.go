package eventbridge

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// The limits of one PutEvents call (EventBridge quotas; PutEvents API
// reference): EventBridge refuses a larger call whole.
const (
	maxEntriesPerCall = 10
	maxCallBytes      = 256 << 10
)

// entrySize is an entry's size as EventBridge counts it against the 256
// KiB of a call ("Calculating PutEvents event entry size"): 14 bytes for a
// Time, plus the UTF-8 bytes of Source, DetailType, Detail and each
// Resource. The bus name and the JSON around the fields do not count.
func entrySize(e Entry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if !e.Time.IsZero() {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// entrySizes sizes every entry, refusing the lot if one could never be
// put: better no call than some events of a batch whose caller has a bug.
func entrySizes(entries []Entry) ([]int, error) {
	sizes := make([]int, len(entries))
	for i, e := range entries {
		sizes[i] = entrySize(e)
		if sizes[i] > maxCallBytes {
			return nil, fmt.Errorf("%w: entry %d (%s) is %d bytes, over %d", ErrEntryTooLarge, i, e.DetailType, sizes[i], maxCallBytes)
		}
	}
	return sizes, nil
}

// calls cuts pending (indexes into the entries) into the calls that carry
// them, in order: ten entries a call, fewer when their sizes would pass
// 256 KiB together.
func calls(pending, sizes []int) [][]int {
	var out [][]int
	for start := 0; start < len(pending); {
		end, total := start, 0
		for end < len(pending) && end-start < maxEntriesPerCall && (end == start || total+sizes[pending[end]] <= maxCallBytes) {
			total += sizes[pending[end]]
			end++
		}
		out = append(out, pending[start:end])
		start = end
	}
	return out
}

// putAll sends the pending entries, one call after the other so their
// order holds, and returns the entries that were not put and the last
// error of a call that failed whole.
func (p *Publisher) putAll(ctx context.Context, api API, entries []Entry, sizes, pending []int) ([]failure, error) {
	var failed []failure
	var lastErr error
	for _, call := range calls(pending, sizes) {
		if err := ctx.Err(); err != nil {
			failed = append(failed, failEvery(call, callFailure(ctx, err))...)
			lastErr = err
			continue
		}
		f, err := p.putCall(ctx, api, entries, call)
		failed = append(failed, f...)
		if err != nil {
			lastErr = err
		}
	}
	return failed, lastErr
}

// putCall makes one PutEvents call of the entries call names, bounded by
// CallTimeout, and returns those it did not put.
func (p *Publisher) putCall(ctx context.Context, api API, entries []Entry, call []int) ([]failure, error) {
	in := &sdk.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(call))}
	for i, idx := range call {
		in.Entries[i] = requestEntry(entries[idx])
	}
	callCtx, cancel := context.WithTimeout(ctx, p.callTimeout())
	defer cancel()
	out, err := api.PutEvents(callCtx, in)
	if err != nil {
		err = fmt.Errorf("eventbridge: PutEvents: %w", err)
		return failEvery(call, callFailure(ctx, err)), err
	}
	var failed []failure
	for i, idx := range call {
		// The answer has one result per entry, in order; a result
		// missing is counted as failed (sent again: at least once).
		if i >= len(out.Entries) {
			failed = append(failed, failure{index: idx, code: codeMissingResult, retryable: true})
			continue
		}
		r := out.Entries[i]
		if code := aws.ToString(r.ErrorCode); code != "" || aws.ToString(r.EventId) == "" {
			if code == "" {
				code = codeMissingResult
			}
			failed = append(failed, failure{index: idx, code: code, retryable: retryableEntryCode(code)})
		}
	}
	return failed, nil
}

func requestEntry(e Entry) types.PutEventsRequestEntry {
	out := types.PutEventsRequestEntry{
		Source:     aws.String(e.Source),
		DetailType: aws.String(e.DetailType),
		Detail:     aws.String(string(e.Detail)),
		Resources:  e.Resources,
	}
	if e.Bus != "" {
		out.EventBusName = aws.String(e.Bus)
	}
	if !e.Time.IsZero() {
		out.Time = aws.Time(e.Time)
	}
	return out
}

func failEvery(call []int, f failure) []failure {
	out := make([]failure, len(call))
	for i, idx := range call {
		f.index = idx
		out[i] = f
	}
	return out
}
