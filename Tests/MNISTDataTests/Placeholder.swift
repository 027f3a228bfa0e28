import Testing
@testable import MNISTData
