package bus

import "time"

// Event is anything published on the bus. Every event carries the lab time at
// which it happened.
type Event interface {
	// At is when it happened, as users see it (the wall clock under
	// --time-scale, the virtual clock in replays).
	At() time.Time
}

// Header is embedded in every event.
type Header struct {
	Time time.Time
}

// At returns when the event happened.
func (h Header) At() time.Time { return h.Time }

// S3Request is one request answered by the lab's S3 endpoint.
type S3Request struct {
	Header
	RequestID string
	Method    string
	Operation string // AWS's operation name: PutObject, ListObjectsV2, ...
	Bucket    string
	Key       string
	Status    int
	ErrorCode string // AWS's error code when Status >= 300
	Message   string // the error message, when there is one
	Principal string // who called: "root", or the role session
	Trace     string // the X-Amzn-Trace-Id the request carried
}

// BucketCreated is published when a bucket comes into existence.
type BucketCreated struct {
	Header
	Bucket string
}

// BucketDeleted is published when a bucket is removed.
type BucketDeleted struct {
	Header
	Bucket string
}

// ObjectChanged is a committed write or delete, named as S3 names the event
// it causes (ObjectCreated:Put, ObjectRemoved:Delete, ...).
type ObjectChanged struct {
	Header
	EventName string
	Bucket    string
	Key       string
	Size      int64
	ETag      string
	VersionID string
	Sequencer string
	RequestID string
	Principal string
}

// NotificationConfigured is published when a bucket's notification
// configuration is replaced.
type NotificationConfigured struct {
	Header
	Bucket         string
	Configurations []string // the Ids of the Lambda configurations now in force
}

// EventEmitted is an S3 event notification sent to a Lambda function.
type EventEmitted struct {
	Header
	Bucket          string
	Key             string
	EventName       string
	ConfigurationID string
	Function        string
	Payload         []byte // the event JSON the function receives
}

// InvocationQueued is an asynchronous invocation accepted into a function's
// queue.
type InvocationQueued struct {
	Header
	Function string
	EventID  string
	Source   string // what asked for it, e.g. "s3:cis-examples/cat.png"
	Chain    string // the recursion lineage the event belongs to
	Depth    int    // the invocation's number in that chain (1 for a fresh upload)
	// Cause is the event whose invocation wrote the object this event is
	// about ("" for a write from outside the lab's functions): split's
	// event for each chunk's encode.
	Cause   string
	Payload []byte // the event JSON
}

// InvocationStarted is an attempt that entered the handler.
type InvocationStarted struct {
	Header
	Function    string
	RequestID   string
	EventID     string
	Attempt     int
	Environment string // the log stream of the execution environment
	Cold        bool
	Chain       string
	Depth       int
}

// LogLine is one line of a function's log, as CloudWatch would show it.
type LogLine struct {
	Header
	Function  string
	RequestID string
	Stream    string
	Line      string
}

// InvocationEnded is the end of one attempt.
type InvocationEnded struct {
	Header
	Function  string
	RequestID string
	EventID   string
	Attempt   int
	Status    string // ok, error, timeout, ...
	Duration  time.Duration
	Error     string // the error JSON, when Status is not ok
	Result    []byte // the handler's JSON result, when ok
	// ErrorType and ErrorMessage are the error document's errorType and
	// errorMessage (Sandbox.Timedout, Runtime.ImportModuleError, the
	// handler's own), so that no reader parses Error.
	ErrorType    string
	ErrorMessage string
	// Denied is the IAM refusal of one of the attempt's own calls (made
	// under its trace) when the attempt failed after it; nil otherwise.
	Denied *Denial
}

// Denial is what IAM refused: who asked, for which action on which
// resource.
type Denial struct {
	Principal string
	Action    string
	Resource  string
}

// EventUndeliverable is an S3 event that could not be handed to Lambda (the
// function was deleted after the trigger was configured).
type EventUndeliverable struct {
	Header
	Function string
	Reason   string
}

// InvocationThrottled is an event that found no free concurrency; Lambda
// puts it back in the queue and tries again after Retry.
type InvocationThrottled struct {
	Header
	Function string
	EventID  string
	Retry    time.Duration
}

// InvocationRetryScheduled is a failed attempt that Lambda will retry after
// Delay (about 1 minute, then about 2).
type InvocationRetryScheduled struct {
	Header
	Function string
	EventID  string
	Attempt  int // the attempt that failed
	Delay    time.Duration
}

// InvocationDropped is an event Lambda gave up on.
type InvocationDropped struct {
	Header
	Function string
	EventID  string
	// Condition is the invocation record's requestContext.condition:
	// RetriesExhausted, EventAgeExceeded, RecursiveInvocationDropped, ...
	Condition string
	// Recursive is set when the recursion guard dropped it: Lambda's
	// recursive loop detection, or lambdalab's ceiling for loops a
	// function allows.
	Recursive bool
	Attempts  int
	// Destination is s3://bucket/key of the invocation record, "" when the
	// function has no on-failure destination.
	Destination string
	Error       string // why the record could not be delivered, if it could not
	// What the event was, as InvocationQueued says: an event dropped as it
	// arrived (the one that would extend a recursive loop) was never queued.
	Source  string
	Chain   string
	Depth   int
	Payload []byte
}

// EnvironmentCreated is a new execution environment (a cold start).
type EnvironmentCreated struct {
	Header
	Function string
	Stream   string
}

// EnvironmentEnded is an execution environment that went away: reclaimed
// when idle, or ended by a crash, timeout or out-of-memory.
type EnvironmentEnded struct {
	Header
	Function string
	Stream   string
	Reason   string
}

// FunctionMetrics is a snapshot of a function's CloudWatch-style metrics,
// published whenever they change.
type FunctionMetrics struct {
	Header
	Function string
	Metrics  Metrics
}

// Metrics are the per-function numbers Lambda publishes to CloudWatch.
type Metrics struct {
	Invocations                 int
	Errors                      int
	Throttles                   int
	DurationP50                 time.Duration
	DurationP99                 time.Duration
	ConcurrentExecutions        int // now
	MaxConcurrentExecutions     int // the most at once so far
	AsyncEventsReceived         int
	AsyncEventAge               time.Duration // age of the last event when it started or was dropped
	AsyncEventsDropped          int
	RecursiveInvocationsDropped int
	DestinationDeliveryFailures int
}

// LoopStopped is a recursive S3 → Lambda → S3 chain that was stopped:
// by Lambda's recursive loop detection at 16 invocations, or, for a function
// whose RecursiveLoop is Allow, by lambdalab's own ceiling.
type LoopStopped struct {
	Header
	Function    string
	Chain       string
	Invocations int    // invocations that ran in the chain
	Path        string // bucket/key → function → bucket/key → …
	By          string // "lambda" or "lab-ceiling"
	Advice      string // what to change
}

// TriggerWarning is the console's recursive-invocation warning: a trigger
// on a bucket its function writes to.
type TriggerWarning struct {
	Header
	Bucket       string
	Function     string
	Message      string
	Acknowledged bool
}

// AccessDenied is a request refused by the caller's IAM policy.
type AccessDenied struct {
	Header
	Principal string // the caller's ARN
	Action    string
	Resource  string
	Decision  string // "no statement allows it", or the explicit Deny that matched
	RequestID string
	// Trace is the X-Amzn-Trace-Id the refused request carried: a
	// function's calls carry their invocation's, which ties the refusal to
	// the attempt.
	Trace string
}

// LogsDenied says an execution environment's logs do not reach its log
// group: the role lacks logs:CreateLogStream / logs:PutLogEvents.
type LogsDenied struct {
	Header
	Function string
	Stream   string
	Reason   string
}

// RolePolicyChanged is a role's policy replaced.
type RolePolicyChanged struct {
	Header
	Role     string
	Function string
}

// FunctionUpdated is a function's configuration changed.
type FunctionUpdated struct {
	Header
	Function string
	// Change is what changed, in the Lambda API's words (CreateFunction,
	// UpdateFunctionConfiguration, FunctionActive, UpdateFailed, …).
	Change string
	// Error is why a change failed ("" when it did not).
	Error string
}

// DataRestored is a lab started on a data directory that already held a
// lab: its buckets, triggers, policies and queued events are back.
type DataRestored struct {
	Header
	Dir string
	// MadeFrom is the lab the directory was first deployed from; Lab is the
	// one given now. When they differ, the directory wins for buckets and
	// triggers.
	MadeFrom, Lab string
	Buckets       int
	Events        int // accepted events not yet done, queued again
}

// RuntimeNotice is something a user should know once about how a
// function's code runs here: another Python version than the one asked
// for, a stand-in for a public layer.
type RuntimeNotice struct {
	Header
	Function string
	Message  string
}
