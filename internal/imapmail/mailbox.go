package imapmail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Select selects INBOX read-write (MOVE needs it; nothing else is
// changed: fetches use BODY.PEEK) and returns its UIDVALIDITY and UIDNEXT.
func (s *Session) Select(ctx context.Context) (uidValidity, uidNext uint32, err error) {
	var data *imap.SelectData
	err = s.do(ctx, func() (err error) {
		data, err = s.client.Select("INBOX", nil).Wait()
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("imapmail: SELECT INBOX: %w", err)
	}
	return data.UIDValidity, uint32(data.UIDNext), nil
}

// Search returns, in ascending order, the UIDs above afterUID (0: any)
// received on or after since (zero: any; IMAP compares dates only) of messages
// whose From field contains one of senders (FROM, case-insensitive). FROM
// matches the display name too, so the parser checks the address; what
// it narrows is what is fetched. Content-Type is not searched because not
// every server indexes arbitrary headers; the parser drops what is not a
// report. No senders finds nothing.
func (s *Session) Search(ctx context.Context, afterUID uint32, since time.Time, senders []string) ([]uint32, error) {
	if len(senders) == 0 {
		return nil, nil
	}
	c := fromAny(senders)
	c.Since = since
	if afterUID > 0 {
		var set imap.UIDSet
		set.AddRange(imap.UID(afterUID+1), 0) // 0 is "*"
		c.UID = []imap.UIDSet{set}
	}
	var data *imap.SearchData
	err := s.do(ctx, func() (err error) {
		data, err = s.client.UIDSearch(c, nil).Wait()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("imapmail: UID SEARCH: %w", err)
	}
	var uids []uint32
	for _, u := range data.AllUIDs() {
		// "n:*" also matches the last message when n is past the end
		// (RFC 3501 6.4.8), so an old UID can come back: filter it.
		if uint32(u) > afterUID {
			uids = append(uids, uint32(u))
		}
	}
	slices.Sort(uids)
	return uids, nil
}

// Fetch reads at most maxBytes of each message in uids, without setting
// \Seen, and calls each for every one in the order the server sends them.
// An error from each stops the fetch and is returned.
func (s *Session) Fetch(ctx context.Context, uids []uint32, maxBytes int64, each func(uid uint32, raw []byte) error) error {
	if len(uids) == 0 {
		return nil
	}
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{
		Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: maxBytes},
	}}}
	var eachErr error
	err := s.do(ctx, func() error {
		cmd := s.client.Fetch(uidSet(uids), opts)
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			uid, raw, err := readFetched(msg, maxBytes)
			if err != nil {
				_ = cmd.Close()
				return err
			}
			if uid == 0 || eachErr != nil {
				continue // drain the rest of the response
			}
			eachErr = each(uid, raw)
		}
		return cmd.Close()
	})
	if eachErr != nil {
		return eachErr
	}
	if err != nil {
		return fmt.Errorf("imapmail: UID FETCH: %w", err)
	}
	return nil
}

// readFetched reads one message's UID and body, never more than maxBytes
// of it even if the server sends more than the partial fetch asked for.
func readFetched(msg *imapclient.FetchMessageData, maxBytes int64) (uint32, []byte, error) {
	var uid uint32
	var raw []byte
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = uint32(item.UID)
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(item.Literal, maxBytes))
			if err != nil {
				return 0, nil, err
			}
			raw = b
		}
	}
	if raw == nil {
		uid = 0 // a FETCH without a body (e.g. a flag update): not ours
	}
	return uid, raw, nil
}

// ErrNoSuchFolder: the archive folder does not exist; create it (a Gmail
// label) first.
var ErrNoSuchFolder = errors.New("imapmail: the archive folder does not exist")

// Move moves messages to folder with UID MOVE (or COPY, STORE \Deleted and
// EXPUNGE of those UIDs where MOVE is not offered).
func (s *Session) Move(ctx context.Context, uids []uint32, folder string) error {
	if len(uids) == 0 {
		return nil
	}
	err := s.do(ctx, func() error {
		_, err := s.client.Move(uidSet(uids), folder).Wait()
		return err
	})
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && (imapErr.Code == imap.ResponseCodeTryCreate || imapErr.Code == imap.ResponseCodeNonExistent) {
		return fmt.Errorf("%w: %q", ErrNoSuchFolder, folder)
	}
	if err != nil {
		return fmt.Errorf("imapmail: UID MOVE: %w", err)
	}
	return nil
}

// fromAny is FROM a, or OR FROM a FROM b, … for every sender.
func fromAny(senders []string) *imap.SearchCriteria {
	c := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: senders[0]}}}
	if len(senders) == 1 {
		return c
	}
	return &imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{*c, *fromAny(senders[1:])}}}
}

func uidSet(uids []uint32) imap.UIDSet {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	return set
}
