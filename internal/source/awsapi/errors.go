package awsapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/eksguard/eksguard/internal/model"
)

var deniedCodes = map[string]bool{
	"AccessDeniedException": true, "AccessDenied": true, "UnauthorizedOperation": true,
	"UnauthorizedException": true, "AuthorizationError": true, "AuthFailure": true,
}

// regionDisabledCodes are what AWS answers in a region the account has not enabled: the credentials
// are not known there.
var regionDisabledCodes = map[string]bool{
	"UnrecognizedClientException": true, "InvalidClientTokenId": true,
}

// FatalError stops a collection before it could produce anything worth reporting: no credentials,
// or no way to learn which regions or accounts to scan.
type FatalError struct {
	// Denied is set for missing credentials or a permission the caller lacks (exit code 4).
	Denied bool
	// Action is the IAM action that was refused, when one was.
	Action string
	Err    error
}

func (e *FatalError) Error() string { return e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// IsAccessDenied reports whether err is AWS refusing the caller a permission.
func IsAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && deniedCodes[ae.ErrorCode()]
}

// Classify turns an SDK error from op (an IAM action such as eks:ListClusters) into a model.Error.
func Classify(err error, op string) model.Error {
	e := model.Error{Operation: op, Message: Message(err)}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		e.AccessDenied = deniedCodes[e.Code]
		if regionDisabledCodes[e.Code] {
			e.Message = "the region does not recognise the credentials; it is probably not enabled for this account (" + ae.ErrorMessage() + ")"
		}
	}
	return e
}

// Message is the most useful one-line text of an SDK error: eksguard's own account of a hostile or
// broken answer (no answer in time, a redirect, a body too long or empty, a listing that loops),
// else the service's own message, else the transport error without the SDK's operation preamble.
// When the SDK gave up after retrying, it says after how many attempts.
func Message(err error) string {
	msg := message(err)
	var mae *retry.MaxAttemptsError
	if errors.As(err, &mae) && mae.Attempt > 1 {
		msg += fmt.Sprintf("; gave up after %d attempts", mae.Attempt)
	}
	return msg
}

func message(err error) string {
	var (
		timeout  *TimeoutError
		big      *BodyTooLargeError
		redirect *RedirectError
		empty    *EmptyResponseError
		pages    *PaginationError
	)
	switch {
	case errors.As(err, &timeout):
		return timeout.Error()
	case errors.As(err, &big):
		return big.Error()
	case errors.As(err, &redirect):
		return redirect.Error()
	case errors.As(err, &empty):
		return empty.Error()
	case errors.As(err, &pages):
		return pages.Error()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, text := ae.ErrorCode(), ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" && m != code {
			text = code + ": " + m
		}
		var re *smithyhttp.ResponseError
		switch {
		case IsThrottle(err):
			return "throttled by AWS (" + text + ")"
		case code == "UnknownError" && errors.As(err, &re):
			// The SDK's name for an error answer that carries no AWS error code.
			return withoutCode(re.HTTPStatusCode())
		}
		return text
	}
	var (
		re    *smithyhttp.ResponseError
		deser *smithy.DeserializationError
	)
	if errors.As(err, &re) {
		switch status := re.HTTPStatusCode(); {
		case status >= 300:
			return withoutCode(status)
		case status >= 200 && errors.As(err, &deser):
			return fmt.Sprintf("unreadable HTTP %d answer (%v); check --endpoint-url or a proxy", status, deser.Err)
		}
	}
	msg := err.Error()
	if i := strings.Index(msg, "https response error"); i >= 0 {
		msg = msg[i:]
	}
	if i := strings.LastIndex(msg, ", "); strings.HasPrefix(msg, "operation error") && i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	return msg
}

// withoutCode describes an error answer that is not AWS speaking: a server fault in front of the
// service, or, below 500, something that is not an AWS endpoint at all.
func withoutCode(status int) string {
	if status >= 500 {
		return fmt.Sprintf("HTTP %d server error without an AWS error code", status)
	}
	return fmt.Sprintf("unexpected HTTP %d answer without an AWS error code; check --endpoint-url or a proxy", status)
}

// described keeps an SDK error for errors.As and errors.Is while reading as Message does.
type described struct {
	context string
	err     error
}

func (d *described) Error() string { return d.context + ": " + Message(d.err) }
func (d *described) Unwrap() error { return d.err }
