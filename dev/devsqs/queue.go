package devsqs

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// QueueOptions are the attributes of a queue that the function depends on.
type QueueOptions struct {
	// VisibilityTimeout hides a received message this long (30 s if zero).
	VisibilityTimeout time.Duration
	// MaxMessageBytes is the queue's MaximumMessageSize (256 KiB if zero).
	MaxMessageBytes int
	// DeadLetterQueue names the queue a message moves to once it has been
	// received MaxReceiveCount times (the RedrivePolicy); empty for none.
	DeadLetterQueue string
	MaxReceiveCount int
}

// Message is a message as the queue holds it.
type Message struct {
	ID            string
	Body          string
	ReceiveCount  int
	SentAt        time.Time
	FirstReceived time.Time

	receiptHandle string
	visibleAt     time.Time
}

// queue is one named queue; the Server's mutex guards it.
type queue struct {
	name     string
	opts     QueueOptions
	messages []*Message // in send order, which SQS approximates
}

func (q *queue) visibility() time.Duration {
	if q.opts.VisibilityTimeout > 0 {
		return q.opts.VisibilityTimeout
	}
	return 30 * time.Second
}

func (q *queue) maxBytes() int {
	if q.opts.MaxMessageBytes > 0 {
		return q.opts.MaxMessageBytes
	}
	return 256 << 10
}

// nextVisible is when the earliest hidden message becomes visible again
// (zero when none is hidden), so a long poll knows how long to sleep.
func (q *queue) nextVisible(now time.Time) time.Time {
	var next time.Time
	for _, m := range q.messages {
		if m.visibleAt.After(now) && (next.IsZero() || m.visibleAt.Before(next)) {
			next = m.visibleAt
		}
	}
	return next
}

func (q *queue) remove(handle string) bool {
	for i, m := range q.messages {
		if m.receiptHandle == handle && handle != "" {
			q.messages = append(q.messages[:i], q.messages[i+1:]...)
			return true
		}
	}
	return false
}

func (q *queue) byHandle(handle string) *Message {
	for _, m := range q.messages {
		if m.receiptHandle == handle && handle != "" {
			return m
		}
	}
	return nil
}

func (q *queue) counts(now time.Time) (visible, hidden int) {
	for _, m := range q.messages {
		if m.visibleAt.After(now) {
			hidden++
		} else {
			visible++
		}
	}
	return visible, hidden
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func millis(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}
