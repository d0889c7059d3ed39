package smtp

import (
	"errors"
	"fmt"
	"time"

	"github.com/gmailsend/gmailsend"
)

// errStaleSession marks a kept session that failed its check (found closed
// before use, or its RSET refused or unanswered): whatever the server said
// (Gmail sends "421 4.4.2 Timeout - closing connection" to sessions idle
// too long), nothing of this message can have been delivered, so the
// caller dials a new session instead of reporting the failure.
var errStaleSession = errors.New("smtp: kept session failed its check")

func staleError(err error) *gmailsend.Error {
	e := classify(stageReset, err)
	e.Err = fmt.Errorf("%w: %w", errStaleSession, err)
	return e
}

// boundFirstReply limits the wait for the next reply of a kept session to
// firstReplyLimit, never past the invocation's deadline, and returns the
// function that lifts the limit again. Only the first reply (RSET's) is
// bounded: a live server answers it at once, while cutting a later wait
// short (the verdict on the content) would turn a slow success into an
// unknown outcome. When the message went in the same flight as RSET,
// silence within the bound is that unknown outcome, said early.
func (s *session) boundFirstReply() (lift func()) {
	if !s.kept || s.firstReplyLimit <= 0 {
		return func() {}
	}
	limit := time.Now().Add(s.firstReplyLimit)
	if limit.After(s.deadline) {
		return func() {}
	}
	_ = s.conn.SetReadDeadline(limit)
	return s.restoreReadDeadline
}

// restoreReadDeadline puts back the invocation's deadline after a shorter
// one; a cancelled invocation keeps its abort.
func (s *session) restoreReadDeadline() {
	s.deadlineMu.Lock()
	defer s.deadlineMu.Unlock()
	if !s.cancelled {
		_ = s.conn.SetReadDeadline(s.deadline)
	}
}
