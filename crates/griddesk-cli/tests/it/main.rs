mod support;
mod conformance;
mod app;
mod api;
mod console;
mod browser;
mod import;
