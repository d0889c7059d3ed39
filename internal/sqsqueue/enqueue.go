package sqsqueue

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// BatchAPI is the SQS call Enqueue makes; IAM in template.yaml allows
// sqs:SendMessage (which covers SendMessageBatch) on the send queue only.
type BatchAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ BatchAPI = (*sqs.Client)(nil)

// maxEntries is SendMessageBatch's limit of entries per call.
const maxEntries = 10

// maxBatchBytes bounds the bodies of one SendMessageBatch call together:
// SQS refuses a larger call whole (BatchRequestTooLong), whatever each
// message's size. 256 KiB is the send queue's MaximumMessageSize, and
// within SQS's batch limit.
const maxBatchBytes = 256 << 10

// Queue is the send queue. Safe for concurrent use.
type Queue struct {
	URL string
	// Attempts is how often an entry is offered before it is reported as
	// not queued (3 when zero).
	Attempts int
	// CallTimeout bounds each call inside the caller's deadline (5 s when
	// zero), so one slow call leaves time for a retry and an answer.
	CallTimeout time.Duration

	api *awsenv.Lazy[BatchAPI]
}

// New returns the queue at url reached through the environment's (awsenv)
// configuration, loaded on first use.
func New(url string) *Queue {
	return &Queue{URL: url, api: awsenv.LazyClient(awsenv.SQS, 2, func(cfg aws.Config) BatchAPI { return sqs.NewFromConfig(cfg) })}
}

// NewWithAPI returns the queue over a ready client.
func NewWithAPI(url string, api BatchAPI) *Queue { return &Queue{URL: url, api: awsenv.Ready(api)} }

var _ gmailsend.Queue = (*Queue)(nil)

// Enqueue puts msgs on the queue, ten per SendMessageBatch call. Entries
// SQS reports failed (or of a call that failed as a whole) are offered
// again, up to Attempts times; what still is not queued is returned, so
// the caller can mark those records instead of leaving them queued.
func (q *Queue) Enqueue(ctx context.Context, msgs []gmailsend.QueueMessage) []gmailsend.QueueFailure {
	api, err := q.client(ctx)
	if err != nil {
		return failAll(msgs, unavailable("loading the AWS configuration", err))
	}
	attempts := q.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	pending := msgs
	var final []gmailsend.QueueFailure
	for attempt := 1; len(pending) > 0; attempt++ {
		var retry []gmailsend.QueueMessage
		var last []gmailsend.QueueFailure
		for _, f := range q.sendChunks(ctx, api, pending) {
			if f.retryable && attempt < attempts && ctx.Err() == nil {
				retry = append(retry, f.msg)
			} else {
				last = append(last, gmailsend.QueueFailure{ID: f.msg.ID, Err: f.err})
			}
		}
		final = append(final, last...)
		pending = retry
		if len(pending) > 0 && !pause(ctx, time.Duration(attempt)*50*time.Millisecond) {
			final = append(final, failAll(pending, unavailable("queueing", ctx.Err()))...)
			break
		}
	}
	return final
}

type entryFailure struct {
	msg       gmailsend.QueueMessage
	err       *gmailsend.Error
	retryable bool
}

// sendChunks sends msgs ten per call (fewer when their bodies would
// pass maxBatchBytes together), the calls side by side (a batch of
// 100 costs one round trip, not ten), and returns the entries that failed.
func (q *Queue) sendChunks(ctx context.Context, api BatchAPI, msgs []gmailsend.QueueMessage) []entryFailure {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		fails []entryFailure
	)
	for start := 0; start < len(msgs); {
		end, size := start, 0
		for end < len(msgs) && end-start < maxEntries && (end == start || size+len(msgs[end].Body) <= maxBatchBytes) {
			size += len(msgs[end].Body)
			end++
		}
		chunk := msgs[start:end]
		start = end
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := q.sendChunk(ctx, api, chunk)
			mu.Lock()
			fails = append(fails, f...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return fails
}

// sendChunk makes one SendMessageBatch call. Entry ids are positions, so
// any record id works and ids are distinct within the call.
func (q *Queue) sendChunk(ctx context.Context, api BatchAPI, chunk []gmailsend.QueueMessage) []entryFailure {
	entries := make([]types.SendMessageBatchRequestEntry, len(chunk))
	for i, m := range chunk {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(m.Body)}
	}
	timeout := q.CallTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := api.SendMessageBatch(callCtx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
	if err != nil {
		e := unavailable("SendMessageBatch", err)
		fails := make([]entryFailure, len(chunk))
		for i, m := range chunk {
			fails[i] = entryFailure{msg: m, err: e, retryable: true}
		}
		return fails
	}
	var fails []entryFailure
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(chunk) {
			continue
		}
		cause := fmt.Errorf("sqsqueue: entry refused: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
		// A sender fault (the entry itself is wrong) fails the same way
		// every time; SQS's own faults may pass.
		fails = append(fails, entryFailure{msg: chunk[i], err: unavailable("SendMessageBatch", cause), retryable: !f.SenderFault})
	}
	return fails
}

func (q *Queue) client(ctx context.Context) (BatchAPI, error) { return q.api.Get(ctx) }

func unavailable(step string, err error) *gmailsend.Error {
	return &gmailsend.Error{Code: gmailsend.CodeQueueUnavailable, Message: "the send queue did not accept the message; nothing will be sent",
		Err: fmt.Errorf("sqsqueue: %s: %w", step, err)}
}

func failAll(msgs []gmailsend.QueueMessage, e *gmailsend.Error) []gmailsend.QueueFailure {
	out := make([]gmailsend.QueueFailure, len(msgs))
	for i, m := range msgs {
		out[i] = gmailsend.QueueFailure{ID: m.ID, Err: e}
	}
	return out
}

// pause waits d unless ctx ends first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
