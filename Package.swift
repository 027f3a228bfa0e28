// swift-tools-version:6.0
// mnist-tui: train an MLP on MNIST in the terminal and watch it live.
//
// The target graph is the architecture (one direction only):
//   MNISTData (IDX + gzip) -> Engine (layers, SGD, Trainer, events) -> App (headless, dashboard loop, CLI)
//   Dashboard (pure: AppState -> CellGrid) -> Terminal (thin ncurses backend) -> App
// Only Engine links BLAS, only MNISTData links zlib, only Terminal links ncurses.
import PackageDescription

let package = Package(
    name: "mnist-tui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mnist-tui", targets: ["mnist-tui"]),
        .executable(name: "mnist-tui-bench", targets: ["mnist-tui-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
    ],
    targets: [
        // MARK: System libraries (header shims; linking is declared on the Swift targets that use them)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),

        // MARK: Libraries
        .target(
            name: "MNISTData",
            dependencies: ["CZlib"],
            linkerSettings: [.linkedLibrary("z")]
        ),
        // Sparse-input kernels of the first layer (C, one variant per instruction set, chosen at run time).
        .target(name: "CSparseKernels"),
        .target(
            name: "Engine",
            dependencies: ["MNISTData", "CBLAS", "CZlib", "CSparseKernels"],
            linkerSettings: [
                .linkedLibrary("z"),
                .linkedLibrary("openblas", .when(platforms: [.linux])),
                .linkedFramework("Accelerate", .when(platforms: [.macOS])),
            ]
        ),
        .target(
            name: "Dashboard",
            dependencies: ["Engine", "MNISTData"]
        ),
        .target(
            name: "Terminal",
            dependencies: ["Dashboard", "CNcurses"],
            linkerSettings: [
                .linkedLibrary("ncursesw", .when(platforms: [.linux])),
                .linkedLibrary("ncurses", .when(platforms: [.macOS])),
            ]
        ),
        .target(
            name: "App",
            dependencies: [
                "MNISTData", "Engine", "Dashboard", "Terminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),

        // MARK: Executables
        .executableTarget(name: "mnist-tui", dependencies: ["App"]),
        .executableTarget(
            name: "mnist-tui-bench",
            dependencies: [
                "Engine", "MNISTData", "CBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests (Swift Testing)
        .testTarget(name: "MNISTDataTests", dependencies: ["MNISTData", "CZlib"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "MNISTData"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Engine", "MNISTData"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "AppTests", dependencies: ["App", "Engine", "MNISTData", "Dashboard", "Terminal"]),
    ],
    swiftLanguageModes: [.v6]
)
