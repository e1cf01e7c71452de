FROM ruby:3.3
RUN apt-get update -qq && apt-get install -qq -y --no-install-recommends nodejs postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /myapp
COPY Gemfile Gemfile.lock ./
RUN gem install bundler && bundle install
COPY . .
EXPOSE 3000
CMD ["rails", "server", "-b", "0.0.0.0"]
