import CBLAS
import Engine
import Foundation
import MNISTData

/// What a worker measures in one OpenBLAS environment: the GEMM floor and the engine's epochs.
/// Sent to the parent as one `RESULT {json}` line.
struct EnvironmentMeasurement: Codable {
    /// OpenBLAS's name for the kernels it chose (`openblas_get_corename`).
    var kernel: String
    /// Sum of the eight training GEMMs at batch size, scaled to one epoch's samples.
    var gemmFloorPerEpoch: Double
    /// The engine's training-pass seconds, one per epoch.
    var engineEpochSeconds: [Double]
    /// The same run with its first layer forced dense (`MNIST_TUI_FIRST_LAYER=dense`: the arithmetic
    /// of before the sparse kernels, all on BLAS), in the same process: issue 12's "no slower than
    /// before" for datasets that go dense (Fashion-MNIST), and the kernels' gain for MNIST.
    var engineDenseEpochSeconds: [Double]
    /// Model FLOPs of one epoch (the eight GEMMs at full width, every sample).
    var flopsPerEpoch: Double
    /// The sparse first-layer kernel variant this CPU runs (`SparseKernelVariant.best`).
    var sparseKernel: String
    /// The engine's step with its first layer dense and sparse, on this run's dataset.
    var firstLayer: FirstLayerTiming

    static let resultPrefix = "RESULT "

    var engineMedian: Double { median(engineEpochSeconds) }
    var engineDenseMedian: Double { median(engineDenseEpochSeconds) }
    var engineGFLOPs: Double { flopsPerEpoch / engineMedian / 1e9 }
    var floorGFLOPs: Double { flopsPerEpoch / gemmFloorPerEpoch / 1e9 }
}

/// The worker side: runs in the environment the parent chose and prints human-readable detail,
/// then the `RESULT` line.
struct EnvironmentWorker {
    var dataset: Dataset
    var config: TrainingConfig
    var repeats: Int

    func run() async throws -> EnvironmentMeasurement {
        let layers = [dataset.train.pixelsPerImage] + config.hidden + [dataset.classCount]
        let kernel = String(cString: mnist_blas_description())
        print("OpenBLAS kernel \(kernel), \(config.threads) threads, \(BlasEnvironment.describeCurrent())")

        // The kernels must be right before their speed means anything.
        BlasThreads.set(config.threads)
        let shapes = GemmShape.training(layers: layers, batch: config.batchSize)
        let check = shapes.map { $0.maximumRelativeError() }.max() ?? 0
        guard check < 1e-4 else {
            throw BenchFailure(description: "cblas_sgemm disagrees with a naive reference (relative error \(check)); not timing it")
        }
        print("GEMM check against a naive Double reference at the \(shapes.count) shapes: ok (max relative error \(String(format: "%.1e", check)))")

        // (a) The GEMM floor.
        print("cblas_sgemm at the \(shapes.count) training GEMM shapes, batch \(config.batchSize) (median of \(repeats)):")
        var floorPerBatch = 0.0
        for shape in shapes {
            let seconds = shape.medianSeconds(repeats: repeats)
            floorPerBatch += seconds
            print("  \(pad(shape.name, 26)) \(pad(shape.dimensions, 12)) \(fmt(shape.flops / seconds / 1e9, 1)) GFLOP/s  \(fmt(seconds * 1e6, 1)) us")
        }
        let trainCount = min(config.trainLimit ?? dataset.train.count, dataset.train.count)
        let floorPerEpoch = floorPerBatch * Double(trainCount) / Double(config.batchSize)
        print("  sum per batch \(fmt(floorPerBatch * 1e3, 3)) ms; per epoch (\(trainCount) samples) \(fmt(floorPerEpoch, 3)) s")

        // (b) The engine's step with its first layer dense (BLAS) and sparse (the kernels), issue 12.
        let firstLayer = FirstLayerMeasurement.measure(dataset.train, name: dataset.name, layers: layers,
                                                       batchSize: config.batchSize, threads: config.threads)
        print("Engine step (gather, forward, backward, SGD update), first layer dense and sparse, median per batch:")
        print("  " + firstLayer.line)

        // (c) The engine, then the same run with its first layer forced dense (before issue 12).
        let engineSeconds = try await train(.automatic, "mnist-tui engine")
        let denseSeconds = try await train(.dense, "mnist-tui engine, first layer forced dense (MNIST_TUI_FIRST_LAYER=dense)")
        return EnvironmentMeasurement(
            kernel: kernel, gemmFloorPerEpoch: floorPerEpoch, engineEpochSeconds: engineSeconds,
            engineDenseEpochSeconds: denseSeconds,
            flopsPerEpoch: GemmShape.flopsPerSample(layers: layers) * Double(trainCount),
            sparseKernel: SparseKernelVariant.best.rawValue, firstLayer: firstLayer)
    }

    /// Trains `config` with its first layer on `path`; prints each epoch; returns the training seconds.
    private func train(_ path: FirstLayerPath, _ title: String) async throws -> [Double] {
        let trainer = try Trainer(dataset: dataset, config: config, firstLayerPath: path)
        print("\(title) on \(dataset.name), \(config.epochs) epoch\(config.epochs == 1 ? "" : "s"), \(trainer.info.batchesPerEpoch) batches an epoch, init \(config.initScheme.rawValue), seed \(config.seed):")
        trainer.start()
        var seconds: [Double] = []
        for await event in trainer.events {
            if case .epoch(let m) = event {
                seconds.append(m.trainSeconds)
                print("  epoch \(m.epoch): train \(fmt(m.trainSeconds, 3)) s, loss \(fmt(m.trainLoss, 4)), "
                      + "test accuracy \(fmt(m.testAccuracy * 100, 2))%")
            }
        }
        // A fingerprint of the final weights: equal across runs with one seed, thread count and kernel.
        print("  final weights FNV-1a: \(String(trainer.snapshot().parametersFingerprint, radix: 16))")
        return seconds
    }
}
