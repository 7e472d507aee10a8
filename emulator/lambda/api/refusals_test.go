package api_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// bombZip is a zip whose one entry says it holds 300 MB.
func bombZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "big.bin", Method: zip.Store, CompressedSize64: 1, UncompressedSize64: 300 << 20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0})
	zw.Close()
	return buf.Bytes()
}

func TestCreateFunctionRefusalsChangeNothing(t *testing.T) {
	l := newLab(t)
	l.create("demo", "echo.handler")
	v1, err := l.reg.Publish("pillow", makeZip(t, map[string]string{"python/PIL/__init__.py": ""}), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	six := []string{v1.ARN, v1.ARN, v1.ARN, v1.ARN, v1.ARN, v1.ARN}
	tests := []struct {
		name    string
		edit    func(*sdk.CreateFunctionInput)
		code    string
		message string
		status  int
	}{
		{"duplicate name", func(in *sdk.CreateFunctionInput) { in.FunctionName = aws.String("demo") },
			"ResourceConflictException", "Function already exist: demo", 409},
		{"unknown runtime", func(in *sdk.CreateFunctionInput) { in.Runtime = "python2.7" },
			"InvalidParameterValueException", "Value python2.7 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [python3.10, python3.11, python3.12, python3.13, provided.al2023, provided.al2] or be a valid ARN", 400},
		{"handler with a space", func(in *sdk.CreateFunctionInput) { in.Handler = aws.String("lambda function.handler") },
			"ValidationException", "1 validation error detected: Value 'lambda function.handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", 400},
		{"memory too small", func(in *sdk.CreateFunctionInput) { in.MemorySize = aws.Int32(64) },
			"ValidationException", "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128", 400},
		{"memory too large", func(in *sdk.CreateFunctionInput) { in.MemorySize = aws.Int32(20000) },
			"ValidationException", "1 validation error detected: Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240", 400},
		{"timeout zero", func(in *sdk.CreateFunctionInput) { in.Timeout = aws.Int32(0) },
			"ValidationException", "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1", 400},
		{"timeout too long", func(in *sdk.CreateFunctionInput) { in.Timeout = aws.Int32(901) },
			"ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900", 400},
		{"a role Lambda cannot assume", func(in *sdk.CreateFunctionInput) { in.Role = aws.String("arn:aws:iam::000000000000:role/nope") },
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.", 400},
		{"not a role ARN", func(in *sdk.CreateFunctionInput) { in.Role = aws.String("r1") },
			"ValidationException", `1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`, 400},
		{"a reserved variable", func(in *sdk.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "eu-west-1"}}
		}, "InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION", 400},
		{"variables over 4 KB", func(in *sdk.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 4100)}}
		}, "InvalidParameterValueException", "", 400},
		{"not a zip", func(in *sdk.CreateFunctionInput) { in.Code.ZipFile = []byte("def lambda_handler(e, c): pass") },
			"InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.", 400},
		{"unzipped over 250 MB", func(in *sdk.CreateFunctionInput) { in.Code.ZipFile = bombZip(t) },
			"InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes", 400},
		{"six layers", func(in *sdk.CreateFunctionInput) { in.Layers = six },
			"InvalidParameterValueException", "Cannot reference more than 5 layers.", 400},
		{"a layer version that does not exist", func(in *sdk.CreateFunctionInput) {
			in.Layers = []string{"arn:aws:lambda:us-east-1:000000000000:layer:pillow:7"}
		}, "InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:pillow:7 does not exist.", 400},
		{"code in S3 that is not there", func(in *sdk.CreateFunctionInput) {
			in.Code = &types.FunctionCode{S3Bucket: aws.String("cis-code"), S3Key: aws.String("function.zip")}
		}, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.", 400},
		{"a bad name", func(in *sdk.CreateFunctionInput) { in.FunctionName = aws.String("my.function") },
			"ValidationException", "1 validation error detected: Value 'my.function' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}", 400},
	}
	before := l.snapshot()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := createInput(t, "other", "echo.handler")
			tc.edit(in)
			_, err := l.client.CreateFunction(ctx, in)
			wantAPIError(t, err, tc.code, tc.message, tc.status)
			if after := l.snapshot(); after != before {
				t.Errorf("a refused CreateFunction changed the lab:\n%s\n%s", before, after)
			}
		})
	}
}

func TestCreateFunctionRefusesAPackageOver50MB(t *testing.T) {
	l := newLab(t)
	in := createInput(t, "big", "echo.handler")
	in.Code.ZipFile = append(makeZip(t, code), make([]byte, 50<<20)...)
	_, err := l.client.CreateFunction(ctx, in)
	wantAPIError(t, err, "RequestEntityTooLargeException", "Zipped size must be smaller than 52428800 bytes", 413)
	if names := l.c.Names(); len(names) != 0 {
		t.Errorf("functions after a refused CreateFunction: %v", names)
	}
}
