//! Background work for the window: named jobs on worker threads with progress and cancel.
