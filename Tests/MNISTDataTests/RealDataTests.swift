import Testing
@testable import MNISTData

/// The real datasets: the MNIST bundled in assets/ and Debian's Fashion-MNIST.
@Suite("Real datasets")
struct RealDataTests {
    @Test func bundledMNISTLoadsWithKnownFacts() throws {
        let mnist = try Dataset.load(.bundledMNIST)
        #expect(mnist.name == "MNIST")
        #expect(mnist.classNames == DatasetSource.digitClassNames)
        #expect(mnist.train.count == 60000 && mnist.test.count == 10000)
        #expect(mnist.train.rows == 28 && mnist.train.cols == 28)
        #expect(mnist.test.rows == 28 && mnist.test.cols == 28)
        #expect(mnist.train.pixels.count == 47_040_000 && mnist.test.pixels.count == 7_840_000)

        // Facts computed independently (Python's gzip over the same files).
        #expect(Array(mnist.train.labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(Array(mnist.test.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        #expect(mnist.train.labels.filter { $0 == 1 }.count == 6742)
        #expect(mnist.test.labels.filter { $0 == 1 }.count == 1135)
        #expect(mnist.train.pixels(ofImage: 0).reduce(0) { $0 + Int($1) } == 27525)
        #expect(mnist.train.pixels.reduce(0) { $0 + Int($1) } == 1_567_298_545)

        // Pins the fingerprint's definition (computed independently with Python's zlib.crc32 over
        // shape + labels + pixels): a change here would make old checkpoints unresumable.
        #expect(mnist.fingerprintHex == "c1422888e850f41f")
    }

    /// Installed here and in CI (Debian's dataset-fashion-mnist); skipped where it is absent.
    @Test(.enabled(if: FileKind(path: DatasetSource.fashionFolder) == .directory))
    func fashionMNISTLoadsWithItsClassNames() throws {
        let fashion = try Dataset.load(.fashion)
        #expect(fashion.name == "Fashion-MNIST")
        #expect(fashion.classNames == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                       "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        #expect(fashion.train.count == 60000 && fashion.test.count == 10000)
        #expect(fashion.train.rows == 28 && fashion.train.cols == 28)
        #expect(Array(fashion.train.labels.prefix(10)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(Array(fashion.test.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        #expect(fashion.train.labels.filter { $0 == 9 }.count == 6000)
        #expect(fashion.train.pixels(ofImage: 0).reduce(0) { $0 + Int($1) } == 76247)
    }
}

/// Finding the bundled MNIST from anywhere.
@Suite("Bundled data location")
struct BundledLocationTests {
    @Test func environmentVariableIsTheOnlyPlaceWhenSet() {
        #expect(BundledAssets.candidates(environment: "/opt/assets", executable: "/usr/bin/mnist-tui")
            == ["/opt/assets/mnist", "/opt/assets"])
    }

    @Test func besideTheExecutableThenInstallPrefixThenCheckout() {
        let places = BundledAssets.candidates(environment: nil, executable: "/opt/mnist/bin/mnist-tui")
        #expect(places.count == 3)
        #expect(places[0] == "/opt/mnist/bin/mnist-tui-assets/mnist")
        #expect(places[1] == "/opt/mnist/share/mnist-tui/mnist")
        #expect(places[2].hasSuffix("/assets/mnist"))
        // The checkout is this test's own repository.
        #expect(FileKind(path: places[2] + "/train-images-idx3-ubyte.gz") == .regular)
    }

    @Test func firstPlaceHoldingTheFilesWins() throws {
        // A copied build: <exe dir>/mnist-tui-assets/mnist.
        let copied = try TemporaryFolder()
        try copied.writeDataset(subfolder: "bin/mnist-tui-assets/mnist", gzipped: true)
        let fromCopy = try BundledAssets.locate(environment: nil, executable: copied.path + "/bin/mnist-tui")
        #expect(fromCopy == copied.path + "/bin/mnist-tui-assets/mnist")

        // An install: <exe dir>/../share/mnist-tui/mnist.
        let installed = try TemporaryFolder()
        try installed.writeDataset(subfolder: "share/mnist-tui/mnist", gzipped: true)
        let fromInstall = try BundledAssets.locate(environment: nil, executable: installed.path + "/bin/mnist-tui")
        #expect(fromInstall == installed.path + "/share/mnist-tui/mnist")

        // Neither: the source checkout.
        let bare = try TemporaryFolder()
        let fromCheckout = try BundledAssets.locate(environment: nil, executable: bare.path + "/bin/mnist-tui")
        #expect(fromCheckout.hasSuffix("/assets/mnist"))

        // The variable overrides all of them.
        #expect(try BundledAssets.locate(environment: installed.path + "/share/mnist-tui",
                                         executable: copied.path + "/bin/mnist-tui")
            == installed.path + "/share/mnist-tui/mnist")
    }

    @Test func notFoundListsWhereItLooked() throws {
        let empty = try TemporaryFolder()
        let error = expectDataError(path: "bundled MNIST",
                                    try BundledAssets.locate(environment: empty.path, executable: nil))
        let places = [empty.path + "/mnist", empty.path]
        #expect(error?.problem == .bundledDataNotFound(searched: places, fromEnvironment: true))
        #expect(error?.description.contains("looked in \(places[0]), \(places[1])") == true)
        #expect(error?.description.contains("MNIST_TUI_ASSETS is set") == true)

        let unset = DataError.Problem.bundledDataNotFound(searched: ["/a"], fromEnvironment: false)
        #expect(unset.description == "not found; looked in /a (set MNIST_TUI_ASSETS to the folder holding the MNIST files)")
    }
}
