// Test support: synthetic datasets, event collection and comparison that ignores wall-clock fields.
import MNISTData
import Synchronization
@testable import Engine

/// A separable 10-class problem of `side x side` byte images: each class is a random prototype,
/// each sample its prototype plus uniform noise. Deterministic in `seed`.
func syntheticDataset(trainCount: Int = 600, testCount: Int = 200, side: Int = 8, classes: Int = 10,
                      noise: Int = 90, seed: UInt64 = 7) -> Dataset {
    var generator = SeededGenerator(seed: seed)
    let pixels = side * side
    let prototypes: [[UInt8]] = (0..<classes).map { _ in
        (0..<pixels).map { _ in UInt8(truncatingIfNeeded: generator.next() % 256) }
    }
    func split(_ count: Int) -> LabeledImages {
        var bytes: [UInt8] = [], labels: [UInt8] = []
        bytes.reserveCapacity(count * pixels)
        for i in 0..<count {
            let label = i % classes
            labels.append(UInt8(label))
            for p in prototypes[label] {
                let jitter = Int(generator.next() % UInt64(2 * noise + 1)) - noise
                bytes.append(UInt8(clamping: Int(p) + jitter))
            }
        }
        return LabeledImages(count: count, rows: side, cols: side, pixels: bytes, labels: labels)
    }
    return Dataset(name: "synthetic", classNames: (0..<classes).map(String.init), train: split(trainCount),
                   test: split(testCount))
}

/// A small, fast configuration for the synthetic set.
func smallConfig(epochs: Int = 3, lr: Float = 0.2, seed: UInt64 = 1) -> TrainingConfig {
    var config = TrainingConfig()
    config.initScheme = .default
    config.epochs = epochs
    config.batchSize = 32
    config.learningRate = lr
    config.hidden = [32, 16]
    config.seed = seed
    config.threads = 1
    return config
}

/// Every event of a started trainer, until the stream finishes. `onEvent` may act on the trainer.
func collect(_ trainer: Trainer, onEvent: (TrainingEvent) -> Void = { _ in }) async -> [TrainingEvent] {
    var events: [TrainingEvent] = []
    for await event in trainer.events {
        events.append(event)
        onEvent(event)
    }
    return events
}

/// The event with its wall-clock fields zeroed: those measure time, not the run.
func timeless(_ event: TrainingEvent) -> TrainingEvent {
    switch event {
    case .batch(var m):
        m.samplesPerSecond = 0
        return .batch(m)
    case .epoch(var m):
        m.trainSeconds = 0
        return .epoch(m)
    default:
        return event
    }
}

/// Only the events that carry the run's math (batches and epochs), timeless.
func mathEvents(_ events: [TrainingEvent]) -> [TrainingEvent] {
    events.compactMap { event in
        switch event {
        case .batch, .epoch: timeless(event)
        default: nil
        }
    }
}

extension TrainingEvent {
    var batchMetrics: BatchMetrics? { if case .batch(let m) = self { m } else { nil } }
    var epochMetrics: EpochMetrics? { if case .epoch(let m) = self { m } else { nil } }
}

/// A trainer whose `action(trainer, metrics)` runs on the training thread after every batch, so a
/// test can pause, stop or change lr at an exact step (the consumer may lag any number of steps).
func trainer(_ dataset: Dataset, _ config: TrainingConfig, resumingFrom snapshot: TrainingSnapshot? = nil,
             afterBatch action: @escaping @Sendable (Trainer, BatchMetrics) -> Void) throws -> Trainer {
    let box = Mutex<Trainer?>(nil)
    let trainer = try Trainer(dataset: dataset, config: config, resumingFrom: snapshot) { metrics in
        if let trainer = box.withLock({ $0 }) { action(trainer, metrics) }
    }
    box.withLock { $0 = trainer }
    return trainer
}
