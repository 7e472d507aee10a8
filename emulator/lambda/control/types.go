package control

// The shapes of Lambda's REST JSON API, with AWS's member names: the API
// package decodes requests into them and encodes them back as they are.

// FunctionConfiguration is a function's configuration as Lambda returns it.
type FunctionConfiguration struct {
	FunctionName               string
	FunctionArn                string
	Runtime                    string `json:",omitempty"`
	Role                       string
	Handler                    string `json:",omitempty"`
	CodeSize                   int64
	Description                string
	Timeout                    int
	MemorySize                 int
	LastModified               string
	CodeSha256                 string
	Version                    string
	Environment                *EnvironmentResponse `json:",omitempty"`
	TracingConfig              TracingConfig
	RevisionId                 string
	Layers                     []Layer `json:",omitempty"`
	State                      string
	StateReason                string `json:",omitempty"`
	StateReasonCode            string `json:",omitempty"`
	LastUpdateStatus           string `json:",omitempty"`
	LastUpdateStatusReason     string `json:",omitempty"`
	LastUpdateStatusReasonCode string `json:",omitempty"`
	PackageType                string
	Architectures              []string
	EphemeralStorage           EphemeralStorage
	LoggingConfig              LoggingConfig
}

// EnvironmentResponse is a function's environment variables.
type EnvironmentResponse struct {
	Variables map[string]string
}

// Environment is the environment a request sets.
type Environment struct {
	Variables map[string]string
}

// TracingConfig is the function's X-Ray mode (lambdalab traces nothing:
// PassThrough).
type TracingConfig struct {
	Mode string `json:",omitempty"`
}

// Layer is a layer version a function uses.
type Layer struct {
	Arn      string
	CodeSize int64
}

// EphemeralStorage is the size of /tmp in MB.
type EphemeralStorage struct {
	Size int
}

// LoggingConfig says where the function's logs go.
type LoggingConfig struct {
	LogFormat string
	LogGroup  string
}

// FunctionCode is where a function's code comes from.
type FunctionCode struct {
	// ZipFile is the zip itself (base64 in JSON).
	ZipFile         []byte `json:",omitempty"`
	S3Bucket        string `json:",omitempty"`
	S3Key           string `json:",omitempty"`
	S3ObjectVersion string `json:",omitempty"`
	ImageUri        string `json:",omitempty"`
	// Path is the lab's own source, never sent over the API: a folder, a
	// zip or a Go main package on this machine that stays live (a lab
	// file's code:). New environments see its changes.
	Path string `json:"-"`
	// Builtin marks a function of one of lambdalab's built-in handlers,
	// named by Handler; Deps.Runtime builds it. Never sent over the API.
	Builtin bool `json:"-"`
}

// HotReloadBucket is the S3Bucket that makes S3Key a folder on this
// machine rather than an object: the folder is the code, re-read for new
// environments (LocalStack's convention, so its instructions work here).
const HotReloadBucket = "hot-reload"

// CreateFunctionInput is CreateFunction's request.
type CreateFunctionInput struct {
	FunctionName  string
	Runtime       string
	Role          string
	Handler       string
	Code          FunctionCode
	Description   string
	Timeout       *int
	MemorySize    *int
	Publish       bool
	Environment   *Environment
	Layers        []string
	TracingConfig *TracingConfig
	PackageType   string
	Architectures []string
}

// UpdateFunctionConfigurationInput is UpdateFunctionConfiguration's
// request; nil members keep their value.
type UpdateFunctionConfigurationInput struct {
	FunctionName string `json:"-"`
	Role         *string
	Handler      *string
	Description  *string
	Timeout      *int
	MemorySize   *int
	Environment  *Environment
	Runtime      *string
	Layers       *[]string
	RevisionId   string
}

// UpdateFunctionCodeInput is UpdateFunctionCode's request.
type UpdateFunctionCodeInput struct {
	FunctionName    string `json:"-"`
	ZipFile         []byte
	S3Bucket        string
	S3Key           string
	S3ObjectVersion string
	ImageUri        string
	Publish         bool
	DryRun          bool
	RevisionId      string
	Architectures   []string
	// Path and Builtin are the lab's own sources, as in FunctionCode.
	Path    string `json:"-"`
	Builtin bool   `json:"-"`
}

// code is the request's source as a FunctionCode.
func (in UpdateFunctionCodeInput) code() FunctionCode {
	return FunctionCode{ZipFile: in.ZipFile, S3Bucket: in.S3Bucket, S3Key: in.S3Key,
		S3ObjectVersion: in.S3ObjectVersion, ImageUri: in.ImageUri, Path: in.Path, Builtin: in.Builtin}
}

// GetFunctionOutput is GetFunction's answer.
type GetFunctionOutput struct {
	Configuration FunctionConfiguration
	Code          FunctionCodeLocation
	Concurrency   *Concurrency `json:",omitempty"`
}

// FunctionCodeLocation is where the function's deployment package can be
// downloaded.
type FunctionCodeLocation struct {
	RepositoryType string
	Location       string
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int `json:",omitempty"`
}

// ListFunctionsOutput is a page of ListFunctions.
type ListFunctionsOutput struct {
	Functions  []FunctionConfiguration
	NextMarker string `json:",omitempty"`
}

// AddPermissionInput is AddPermission's request.
type AddPermissionInput struct {
	FunctionName     string `json:"-"`
	Qualifier        string `json:"-"`
	StatementId      string
	Action           string
	Principal        string
	SourceArn        string `json:",omitempty"`
	SourceAccount    string `json:",omitempty"`
	EventSourceToken string `json:",omitempty"`
	PrincipalOrgID   string `json:",omitempty"`
	RevisionId       string `json:",omitempty"`
}

// AddPermissionOutput holds the statement added, as a JSON string.
type AddPermissionOutput struct {
	Statement string
}

// GetPolicyOutput holds the resource policy as a JSON string.
type GetPolicyOutput struct {
	Policy     string
	RevisionId string
}

// DestinationConfig names where events that gave up (or succeeded) go.
type DestinationConfig struct {
	OnSuccess *Destination `json:",omitempty"`
	OnFailure *Destination `json:",omitempty"`
}

// Destination is one destination's ARN.
type Destination struct {
	Destination string `json:",omitempty"`
}

// EventInvokeConfigInput is Put/UpdateFunctionEventInvokeConfig's request.
type EventInvokeConfigInput struct {
	FunctionName             string `json:"-"`
	Qualifier                string `json:"-"`
	MaximumRetryAttempts     *int
	MaximumEventAgeInSeconds *int
	DestinationConfig        *DestinationConfig
}

// FunctionEventInvokeConfig is a function's configuration for asynchronous
// invocation. LastModified is in Unix seconds, as Lambda sends it.
type FunctionEventInvokeConfig struct {
	LastModified             float64
	FunctionArn              string
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
	DestinationConfig        DestinationConfig
}

// RecursionConfig is Put/GetFunctionRecursionConfig's body.
type RecursionConfig struct {
	RecursiveLoop string
}

// AccountSettings is GetAccountSettings' answer.
type AccountSettings struct {
	AccountLimit AccountLimit
	AccountUsage AccountUsage
}

// AccountLimit is the account's limits.
type AccountLimit struct {
	TotalCodeSize                  int64
	CodeSizeUnzipped               int64
	CodeSizeZipped                 int64
	ConcurrentExecutions           int
	UnreservedConcurrentExecutions int
}

// AccountUsage is what the account uses.
type AccountUsage struct {
	TotalCodeSize int64
	FunctionCount int
}

// InvokeInput is Invoke's request.
type InvokeInput struct {
	FunctionName   string
	Qualifier      string
	InvocationType string // RequestResponse (default), Event, DryRun
	LogType        string // None (default), Tail
	Payload        []byte
}

// InvokeOutput is Invoke's answer.
type InvokeOutput struct {
	StatusCode      int
	RequestID       string
	Payload         []byte
	FunctionError   string
	LogResult       string
	ExecutedVersion string
}
