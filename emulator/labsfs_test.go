package emulator_test

import "github.com/lambdalab/lambdalab/emulator/labs"

var labsFS = labs.Files
