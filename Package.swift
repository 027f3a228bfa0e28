// swift-tools-version:6.0
// mnist-tui: train an MLP on MNIST in the terminal and watch it live.
//
// The target graph is the architecture (one direction only):
//   MNISTData (IDX + gzip) -> Engine (layers, SGD, Trainer, events) -> App (headless, dashboard loop, CLI)
//   Cells (cell grid, rect, key) -> Dashboard (pure: AppState -> CellGrid) -> App
//   Cells -> Terminal (thin ncurses backend: writes CellGrids, reads Keys) -> App
//   MNISTData -> Interchange (files other tools read and write: safetensors, TensorBoard events) -> App
// Only Engine links BLAS, only Terminal links ncurses; zlib is linked by MNISTData (gzip, dataset
// fingerprints) and by Engine (the checkpoint's CRC-32, Sources/Engine/Checkpoint/CRC32.swift).
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
        // The screen's vocabulary (no dependencies): what Dashboard draws and Terminal writes.
        .target(name: "Cells"),
        .target(
            name: "Interchange",
            dependencies: ["MNISTData"]
        ),
        .target(
            name: "Dashboard",
            dependencies: ["Cells", "Engine", "MNISTData"]
        ),
        .target(
            name: "Terminal",
            dependencies: ["Cells", "CNcurses"],
            linkerSettings: [
                .linkedLibrary("ncursesw", .when(platforms: [.linux])),
                .linkedLibrary("ncurses", .when(platforms: [.macOS])),
            ]
        ),
        .target(
            name: "App",
            dependencies: [
                "MNISTData", "Engine", "Cells", "Dashboard", "Terminal", "Interchange",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .testTarget(name: "EngineTests", dependencies: ["Engine", "MNISTData"], exclude: ["Fixtures"]),
        .testTarget(name: "DashboardTests", dependencies: ["Cells", "Dashboard", "Engine", "MNISTData"],
                    exclude: ["Snapshots", "Fixtures"]),
        .testTarget(name: "InterchangeTests", dependencies: ["Interchange"], exclude: ["Fixtures"]),
        .testTarget(name: "AppTests", dependencies: ["App", "Engine", "MNISTData", "Cells", "Dashboard", "Terminal", "Interchange"]),
    ],
    swiftLanguageModes: [.v6]
)
