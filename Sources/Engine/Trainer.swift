// CONTRACT (skeleton): the Trainer's public API. The engine helper replaces the bodies.
import MNISTData

/// Trains an MLP on a background DispatchQueue and publishes `TrainingEvent`s.
/// Controls may be called from any thread; they take effect between batches.
public final class Trainer: Sendable {
    /// Every event of the run, in order. Unbounded: training never waits for the consumer,
    /// and no event is dropped. Finishes after the final `.stateChanged(.done/.stopped)`.
    public let events: AsyncStream<TrainingEvent>
    private let continuation: AsyncStream<TrainingEvent>.Continuation
    /// The run's static facts, known at construction (also sent as the first event, `.started`).
    public let info: RunInfo

    /// Validates `config` against `dataset` and allocates every buffer the run needs.
    public init(dataset: Dataset, config: TrainingConfig) throws {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        info = RunInfo(layerSizes: [dataset.train.pixelsPerImage] + config.hidden + [dataset.classCount],
                       config: config, datasetName: dataset.name, classNames: dataset.classNames,
                       trainCount: dataset.train.count, testCount: dataset.test.count,
                       batchesPerEpoch: 0)
    }

    /// Starts training on the trainer's queue. Call once.
    public func start() {}
    public func pause() {}
    public func resume() {}
    /// Sets the learning rate used from the next batch on.
    public func setLearningRate(_ lr: Float) {}
    /// Ends the run after the current batch; emits `.stateChanged(.stopped)` and finishes `events`.
    public func stop() {}
}
