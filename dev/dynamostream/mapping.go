package dynamostream

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Invoke calls the function with a payload (the JSON of an
// events.DynamoDBEvent) and returns its answer; an error is a function
// error.
type Invoke func(ctx context.Context, payload []byte) ([]byte, error)

// Mapping is an event source mapping's settings, named as in
// AWS::Lambda::EventSourceMapping.
type Mapping struct {
	// BatchSize is the most records in one invocation (100 if zero).
	BatchSize int
	// MaximumBatchingWindow is how long Run gathers records before
	// invoking with fewer than BatchSize (0: at once). Drain never waits.
	MaximumBatchingWindow time.Duration
	// MaximumRetryAttempts is how often a failing batch is retried before
	// it is discarded to OnFailure: 0 never retries, as in AWS, and -1
	// retries forever (AWS's default).
	MaximumRetryAttempts int
	// BisectBatchOnFunctionError splits a batch whose invocation failed in
	// two halves, retried in order; splitting uses no retry.
	BisectBatchOnFunctionError bool
	// ReportBatchItemFailures reads the function's answer as an
	// events.DynamoDBEventResponse (FunctionResponseTypes in AWS).
	ReportBatchItemFailures bool
	// OnFailure receives a discarded batch's FailureRecord JSON (nil:
	// discarded batches are dropped, as without a destination).
	OnFailure func(ctx context.Context, failureRecord []byte)
	// FunctionARN goes into failure records (a placeholder if empty).
	FunctionARN string
}

// Poller reads one stream and invokes a function with its records, as the
// event source mapping does: in order, one batch at a time, and the
// stream moves past a batch only once it succeeded or was discarded.
type Poller struct {
	stream *Stream
	m      Mapping
	invoke Invoke

	step       sync.Mutex   // one batch at a time, whoever (Run, Drain) asks
	checkpoint atomic.Int64 // the position of the next record to deliver
}

// NewPoller makes a poller of stream for the function invoke.
func NewPoller(stream *Stream, m Mapping, invoke Invoke) *Poller {
	if m.BatchSize <= 0 {
		m.BatchSize = 100
	}
	if m.FunctionARN == "" {
		m.FunctionARN = "arn:aws:lambda:" + stream.Region + ":123456789012:function:dynamostream-local"
	}
	return &Poller{stream: stream, m: m, invoke: invoke}
}

// Checkpoint is the number of records delivered or discarded so far.
func (p *Poller) Checkpoint() int { return int(p.checkpoint.Load()) }

// Run delivers records as they arrive until ctx ends, and returns ctx's error.
func (p *Poller) Run(ctx context.Context) error {
	for {
		if err := p.stream.waitBeyond(ctx, p.Checkpoint()); err != nil {
			return err
		}
		if err := p.gather(ctx); err != nil {
			return err
		}
		if _, err := p.deliverNext(ctx); err != nil {
			return err
		}
	}
}

// Drain delivers every record the stream holds and returns once it is
// empty beyond the checkpoint (or ctx ended).
func (p *Poller) Drain(ctx context.Context) error {
	for {
		delivered, err := p.deliverNext(ctx)
		if err != nil || !delivered {
			return err
		}
	}
}

// gather waits, up to the batching window, for a full batch.
func (p *Poller) gather(ctx context.Context) error {
	if p.m.MaximumBatchingWindow <= 0 {
		return nil
	}
	windowCtx, cancel := context.WithTimeout(ctx, p.m.MaximumBatchingWindow)
	defer cancel()
	for {
		n := p.stream.Len()
		if n-p.Checkpoint() >= p.m.BatchSize {
			return nil
		}
		if p.stream.waitBeyond(windowCtx, n) != nil {
			return ctx.Err() // nil when only the window closed
		}
	}
}

// deliverNext delivers the batch at the checkpoint; false when there was none.
func (p *Poller) deliverNext(ctx context.Context) (bool, error) {
	p.step.Lock()
	defer p.step.Unlock()
	batch := p.stream.read(p.Checkpoint(), p.m.BatchSize)
	if len(batch) == 0 {
		return false, ctx.Err()
	}
	return true, p.deliver(ctx, batch, 0)
}

// deliver invokes with batch until each of its records succeeded or was
// discarded, moving the checkpoint as they do. retries is what the batch
// this one was split from had already used.
func (p *Poller) deliver(ctx context.Context, batch []events.DynamoDBEventRecord, retries int) error {
	for {
		res := p.attempt(ctx, batch)
		if err := ctx.Err(); err != nil {
			return err // stopped, not failed: the batch is delivered again
		}
		p.checkpoint.Add(int64(res.succeeded))
		batch = batch[res.succeeded:]
		if len(batch) == 0 {
			return nil
		}
		if res.functionErr && p.m.BisectBatchOnFunctionError && len(batch) > 1 {
			half := len(batch) / 2
			if err := p.deliver(ctx, batch[:half], retries); err != nil {
				return err
			}
			return p.deliver(ctx, batch[half:], retries)
		}
		// On a partial failure the retry starts at the lowest failed
		// record; the records after it in this batch go again with it.
		if p.m.MaximumRetryAttempts >= 0 && retries >= p.m.MaximumRetryAttempts {
			p.discard(ctx, batch, retries+1, res.functionErr)
			return nil
		}
		retries++
	}
}

// discard sends a batch to the on-failure destination and moves past it.
func (p *Poller) discard(ctx context.Context, batch []events.DynamoDBEventRecord, invokes int, functionErr bool) {
	if p.m.OnFailure != nil {
		p.m.OnFailure(ctx, newFailureRecord(p.stream, p.m.FunctionARN, batch, invokes, functionErr))
	}
	p.checkpoint.Add(int64(len(batch)))
}

// attemptResult is one invocation's outcome: how many records from the
// batch's start succeeded, and whether the function itself failed.
type attemptResult struct {
	succeeded   int
	functionErr bool
}

func (p *Poller) attempt(ctx context.Context, batch []events.DynamoDBEventRecord) attemptResult {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: batch})
	if err != nil {
		panic(fmt.Sprintf("dynamostream: encoding a batch: %v", err)) // decoded from JSON: cannot fail
	}
	answer, err := p.invoke(ctx, payload)
	if err != nil {
		return attemptResult{functionErr: true}
	}
	if !p.m.ReportBatchItemFailures {
		return attemptResult{succeeded: len(batch)}
	}
	return attemptResult{succeeded: succeededBefore(answer, batch)}
}
