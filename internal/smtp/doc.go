// Package smtp delivers built messages to an SMTP submission server such as
// smtp.gmail.com. It implements gomail's SendCloser so messages are sent
// with gomail.Send, and covers what gomail's own Dialer lacks:
//
//   - TLS is mandatory: STARTTLS on 587 (no AUTH and no mail if the server
//     does not offer it or it fails), implicit TLS on 465; certificates are
//     verified against the host name, TLS 1.2 at least.
//   - Credentials (PLAIN, LOGIN or XOAUTH2) are only ever sent after TLS.
//   - Every network step is bounded by the caller's context deadline less a
//     safety margin, and a cancelled context aborts the connection at once.
//   - Authenticated sessions are kept for reuse (per server and credential,
//     never across accounts) and closed after an idle limit. Before reuse a
//     session is looked at without a round trip (closed by the server, or
//     spoke unprompted: replaced), and its first reply is bounded by
//     ReuseCheckTimeout: a connection a middlebox silently forgot is
//     abandoned and redialled while nothing of the message has been sent.
//   - With CHUNKING and PIPELINING (RFC 3030, RFC 2920) a message to one
//     recipient costs one round trip: RSET, MAIL, RCPT and BDAT LAST with
//     the message in one flight (chunking.go). With PIPELINING alone, two.
//   - While replies are awaited (dialling, and the replies to a pipelined
//     flight) the socket acknowledges what arrives at once (TCP_QUICKACK,
//     quickack.go): a server answering in two writes would otherwise wait
//     for the client's delayed ACK, 40 ms on Linux.
//   - A failure after the whole message was sent and before the server's
//     verdict is marked ErrDeliveryUnknown (outcome.go): it may have been
//     delivered.
//
// It does not build messages, resolve credentials or decide retries: the
// error it returns carries a stable code from package gmailsend (the domain), and the caller
// decides.
package smtp
