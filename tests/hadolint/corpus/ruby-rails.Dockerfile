FROM ruby:3.3-slim
RUN apt-get update -qq && apt-get install -qq -y build-essential libpq-dev nodejs
RUN gem install bundler -v 2.5.6
RUN gem install rails
RUN gem install nokogiri:1.16.2 --no-document
WORKDIR /rails
COPY Gemfile Gemfile.lock ./
RUN bundle config set --local without 'development test' && bundle install --jobs 4
COPY . .
RUN bundle exec rake assets:precompile
EXPOSE 3000
USER 1000:1000
ENTRYPOINT ["./bin/docker-entrypoint"]
CMD ["./bin/rails", "server", "-b", "0.0.0.0"]
